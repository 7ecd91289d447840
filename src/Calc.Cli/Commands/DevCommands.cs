using System.CommandLine;
using System.Globalization;
using System.Text;
using Calc.Cli.Csv;

namespace Calc.Cli.Commands;

/// <summary>Hidden developer tools: <c>calc dev gen-receipts</c> writes large receipt files for measurements.</summary>
internal static class DevCommands
{
    public static Command Dev(CommandRunner runner)
    {
        var rows = new Option<int>("--rows") { Description = "Number of receipts", DefaultValueFactory = _ => 1_000_000 };
        var output = new Option<FileInfo>("--out") { Description = "File to write", Required = true };
        var from = new Option<string>("--from") { Description = "First income day", DefaultValueFactory = _ => "2025-03-14" };
        var to = new Option<string>("--to") { Description = "Last income day", DefaultValueFactory = _ => "2025-03-18" };
        var assets = new Option<string>("--assets") { Description = "Comma-separated assets", DefaultValueFactory = _ => "BTC,ETH" };
        var oneC = new Option<bool>("--1c-export") { Description = "1C style: Russian headers, ';', decimal comma, dd.MM.yyyy local times, windows-1251" };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same file)", DefaultValueFactory = _ => 20250315 };
        var gen = new Command("gen-receipts", "Write a synthetic receipts file") { rows, output, from, to, assets, oneC, seed };
        runner.SetAction(gen, (i, ct) =>
        {
            var first = DateOnly.ParseExact(Input.Date(i.Get(from), "--from"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var last = DateOnly.ParseExact(Input.Date(i.Get(to), "--to"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Generate(i.Get(output).FullName, i.Get(rows), first, last, i.Get(assets).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                i.Get(oneC), i.Get(seed), ct);
            return Task.FromResult(ExitCodes.Ok);
        });
        var dev = new Command("dev", "Developer tools") { Hidden = true };
        dev.Add(gen);
        return dev;
    }

    internal static void Generate(string path, int count, DateOnly first, DateOnly last, string[] assets, bool oneC, int seed, CancellationToken cancellationToken)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var random = new Random(seed);
        int days = last.DayNumber - first.DayNumber + 1;
        char d = oneC ? ';' : ',';
        using var writer = new StreamWriter(path, false, oneC ? Encoding.GetEncoding(1251) : new UTF8Encoding(false), 1 << 16);
        writer.Write(oneC ? "Номер;Период;Монета;Количество;Кошелек;Хеш транзакции;Пул\n" : "id,received_at,asset,amount,wallet_address,tx_id,pool\n");
        var fields = new string[7];
        for (int n = 1; n <= count; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var day = first.AddDays(random.Next(days));
            var time = new TimeOnly(random.Next(24), random.Next(60), random.Next(60));
            string asset = assets[random.Next(assets.Length)];
            decimal amount = random.Next(1, 1_000_000) / 100_000_000m * (asset == "BTC" ? 1 : 30);
            fields[0] = "R" + n.ToString("D7", CultureInfo.InvariantCulture);
            fields[1] = oneC
                ? day.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture) + " " + time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
                : day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T" + time.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
            fields[2] = asset;
            fields[3] = amount.ToString("0.00000000", CultureInfo.InvariantCulture) is var a && oneC ? a.Replace('.', ',') : a;
            fields[4] = "bc1q" + random.Next().ToString("x8", CultureInfo.InvariantCulture);
            fields[5] = random.NextInt64().ToString("x16", CultureInfo.InvariantCulture);
            fields[6] = n % 3 == 0 ? "ViaBTC" : "F2Pool";
            CsvText.WriteRow(writer, fields, d);
        }
    }
}
