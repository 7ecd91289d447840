using System.Globalization;
using Calc.Application.MarketData;

namespace Calc.Application.Imports;

/// <summary>Which items of one store import were taken (added, unchanged or replaced), from the store's report.</summary>
internal static class ImportedValues
{
    /// <summary>
    /// <paramref name="items"/> minus those the store rejected; the store names a rejected item
    /// "<paramref name="locationPrefix"/> <i>index</i>".
    /// </summary>
    public static List<T> Accepted<T>(IReadOnlyList<T> items, ImportReport stored, string locationPrefix)
    {
        var rejected = new HashSet<int>();
        foreach (var r in stored.Rejected)
        {
            if (r.Location.Length > locationPrefix.Length + 1
                && r.Location.StartsWith(locationPrefix, StringComparison.Ordinal)
                && r.Location[locationPrefix.Length] == ' '
                && int.TryParse(r.Location.AsSpan(locationPrefix.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                rejected.Add(index);
            }
        }

        var accepted = new List<T>(items.Count - rejected.Count);
        for (int i = 0; i < items.Count; i++)
        {
            if (!rejected.Contains(i))
            {
                accepted.Add(items[i]);
            }
        }

        return accepted;
    }
}
