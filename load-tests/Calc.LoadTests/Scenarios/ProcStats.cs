using System.Globalization;

namespace Calc.LoadTests.Scenarios;

/// <summary>CPU time and resident memory of a Linux process from /proc (the server under test).</summary>
public readonly record struct ProcStats(double CpuSeconds, long RssBytes, long PeakRssBytes)
{
    private const double TicksPerSecond = 100.0; // USER_HZ, 100 on every Linux ABI .NET runs on

    public static ProcStats Read(int pid)
    {
        // /proc/<pid>/stat: fields after the ")" of comm; utime and stime are fields 14 and 15
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        long rss = 0, hwm = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        return new ProcStats(cpu, rss, hwm);
    }

    /// <summary>Resets VmHWM to the current RSS, so the next peak belongs to the measured run.</summary>
    public static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (IOException)
        {
            // older kernels: the peak then covers the process lifetime (warm-up included)
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
}
