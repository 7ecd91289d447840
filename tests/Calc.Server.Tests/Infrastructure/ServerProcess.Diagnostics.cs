using System.Diagnostics;
using System.Globalization;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>What the reliability and soak tests need of the server process: SIGTERM and /proc measurements.</summary>
public sealed partial class ServerProcess
{
    public int Pid => _process.Id;

    /// <summary>Sends SIGTERM (what an orchestrator sends to stop a container).</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Resident set size, open descriptors and threads of the server process, from /proc.</summary>
    public ProcessSample Sample()
    {
        long rssKb = 0;
        int threads = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rssKb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
            }
        }

        int fds = 0;
        int sockets = 0;
        foreach (var fd in Directory.GetFileSystemEntries($"/proc/{Pid}/fd"))
        {
            fds++;
            try
            {
                sockets += new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true ? 1 : 0;
            }
            catch (IOException)
            {
                // closed while listing
            }
        }

        return new ProcessSample(DateTime.UtcNow, rssKb * 1024, fds, sockets, threads);
    }

    /// <summary>Open descriptors by kind (socket, pipe, anon_inode:[eventpoll], /path…), for diagnosing growth.</summary>
    public string DescribeFds()
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var fd in Directory.GetFileSystemEntries($"/proc/{Pid}/fd"))
        {
            string target;
            try
            {
                target = new FileInfo(fd).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                continue;
            }

            string kind = target.StartsWith('/') ? target : target.Split('[')[0].Split(':')[0] + (target.StartsWith("anon_inode:", StringComparison.Ordinal) ? target[10..] : "");
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        return string.Join(", ", kinds.Where(k => k.Value > 1 || !k.Key.StartsWith('/')).Select(k => $"{k.Key}={k.Value}"));
    }
}

/// <summary>One measurement of the server process.</summary>
/// <remarks>Descriptors also grow when assemblies load (each is mapped); sockets are what a connection leak shows in.</remarks>
public sealed record ProcessSample(DateTime At, long RssBytes, int OpenFds, int Sockets, int Threads)
{
    public override string ToString() => $"rss={RssBytes / (1024.0 * 1024):0.0} MiB fds={OpenFds} sockets={Sockets} threads={Threads}";
}
