using System.Text;
using Calc.Domain.Calendar;
using Calc.Domain.Dates;

namespace Calc.Domain.Quotes;

/// <summary>
/// The FNS list of foreign trade organisers whose daily quotations the FNS publishes (tax-rules §3, market-data
/// §3): a taxpayer may value on any organiser meeting art. 282.3's criteria, so a venue off the list is a
/// warning, never an error. Reference data with its date and source, embedded from
/// <c>ReferenceData/fns-venues.csv</c> (<c>venue,organiser,list_date,source</c>, the strict CSV dialect of the
/// production calendar; one edition per file: every row carries the same list_date and source). Updating the
/// list is replacing that file; no code changes.
/// </summary>
public sealed class FnsVenueList
{
    public const string Header = "venue,organiser,list_date,source";

    public const string FileName = "fns-venues.csv";

    private const string ResourceName = "Venues/" + FileName;

    private static readonly Lazy<FnsVenueList> EmbeddedList = new(LoadEmbedded);

    private readonly Dictionary<string, string> _organisers;

    private FnsVenueList(Dictionary<string, string> organisers, DateOnly listDate, string source)
    {
        _organisers = organisers;
        ListDate = listDate;
        Source = source;
    }

    /// <summary>The list shipped with this build.</summary>
    public static FnsVenueList Embedded => EmbeddedList.Value;

    /// <summary>Date of the list edition (from which the FNS publishes these organisers' quotations).</summary>
    public DateOnly ListDate { get; }

    /// <summary>Where the list comes from.</summary>
    public string Source { get; }

    /// <summary>Venue ids on the list, in file order.</summary>
    public IReadOnlyCollection<string> Venues => _organisers.Keys;

    public bool IsListed(string venue) => _organisers.ContainsKey(venue);

    /// <summary>Parses the strict CSV; throws <see cref="Rules.RuleSetLoadException"/> naming the file and line.</summary>
    public static FnsVenueList Parse(string csv, string file = FileName)
    {
        var rows = StrictCsv.Read(file, csv, Header);
        var organisers = new Dictionary<string, string>(StringComparer.Ordinal);
        DateOnly? listDate = null;
        string? source = null;
        foreach (var (line, f) in rows)
        {
            if (f[0].Length == 0 || f[0] != f[0].ToLowerInvariant() || f[0].Trim() != f[0])
            {
                throw StrictCsv.Fail(file, line, $"venue '{f[0]}' must be a lower-case venue id");
            }

            if (string.IsNullOrWhiteSpace(f[1]))
            {
                throw StrictCsv.Fail(file, line, "organiser is empty");
            }

            if (!IsoDate.TryParse(f[2], out var date))
            {
                throw StrictCsv.Fail(file, line, $"'{f[2]}' is not an ISO date");
            }

            if (string.IsNullOrWhiteSpace(f[3]))
            {
                throw StrictCsv.Fail(file, line, "source is empty");
            }

            if ((listDate is { } d && d != date) || (source is { } s && s != f[3]))
            {
                throw StrictCsv.Fail(file, line, "every row must carry the same list_date and source (one list edition per file)");
            }

            if (!organisers.TryAdd(f[0], f[1]))
            {
                throw StrictCsv.Fail(file, line, $"venue '{f[0]}' is listed twice");
            }

            listDate = date;
            source = f[3];
        }

        return new FnsVenueList(organisers, listDate!.Value, source!);
    }

    private static FnsVenueList LoadEmbedded()
    {
        using var stream = typeof(FnsVenueList).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
        return Parse(reader.ReadToEnd());
    }
}
