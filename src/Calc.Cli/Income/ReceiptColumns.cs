namespace Calc.Cli.Income;

/// <summary>
/// Receipt file columns, found by header name (case-insensitive; spaces, '-' and '_' are the same; ё = е).
/// Russian aliases cover the usual 1C/ERP export headers. Other columns are ignored.
/// </summary>
internal sealed class ReceiptColumns
{
    /// <summary>Canonical name → accepted header names (documented in README.md).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Aliases = new Dictionary<string, string[]>
    {
        ["id"] = ["id", "receipt_id", "номер", "идентификатор", "№", "номер строки", "документ"],
        ["received_at"] = ["received_at", "received", "timestamp", "datetime", "date", "дата", "период", "дата получения", "дата и время", "время получения"],
        ["asset"] = ["asset", "coin", "currency", "актив", "монета", "криптовалюта", "валюта"],
        ["amount"] = ["amount", "quantity", "qty", "количество", "объем", "объём"],
        ["wallet_address"] = ["wallet_address", "wallet", "address", "кошелек", "адрес", "адрес кошелька"],
        ["tx_id"] = ["tx_id", "txid", "tx", "transaction", "hash", "транзакция", "хеш", "хэш", "хеш транзакции", "хэш транзакции"],
        ["pool"] = ["pool", "пул"],
        ["operation_type"] = ["operation_type", "operation", "операция", "тип_операции", "тип операции"],
    };

    public static readonly string[] Required = ["received_at", "asset", "amount"];

    private ReceiptColumns(int id, int receivedAt, int asset, int amount, int wallet, int tx, int pool, int operation, IReadOnlyList<string> ignored)
    {
        Operation = operation;
        Id = id;
        ReceivedAt = receivedAt;
        Asset = asset;
        Amount = amount;
        Wallet = wallet;
        TxId = tx;
        Pool = pool;
        Ignored = ignored;
    }

    /// <summary>Column indexes; -1 when the file has no such column (only optional ones may be missing).</summary>
    public int Id { get; }

    public int ReceivedAt { get; }

    public int Asset { get; }

    public int Amount { get; }

    public int Wallet { get; }

    public int TxId { get; }

    public int Pool { get; }

    /// <summary>The monthly report's operation type (wallet / pool); optional.</summary>
    public int Operation { get; }

    /// <summary>Header names not mapped to any column.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Maps a header row; a missing required column or a column named twice is a file error.</summary>
    public static ReceiptColumns Map(IReadOnlyList<string> header, string fileName)
    {
        var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, names) in Aliases)
        {
            foreach (var name in names)
            {
                lookup[Normalize(name)] = canonical;
            }
        }

        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var ignored = new List<string>();
        for (int i = 0; i < header.Count; i++)
        {
            if (!lookup.TryGetValue(Normalize(header[i]), out var canonical))
            {
                if (header[i].Trim().Length > 0)
                {
                    ignored.Add(header[i].Trim());
                }

                continue;
            }

            if (!found.TryAdd(canonical, i))
            {
                throw new CliException($"{fileName}:1: columns '{header[found[canonical]].Trim()}' and '{header[i].Trim()}' both map to {canonical}; rename one");
            }
        }

        var missing = Required.Where(r => !found.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
        {
            string detail = string.Join("; ", missing.Select(m => $"{m} (header names: {string.Join(", ", Aliases[m])})"));
            throw new CliException($"{fileName}:1: missing column(s) {detail}. Header read: {string.Join(" | ", header)}");
        }

        int At(string name) => found.TryGetValue(name, out int i) ? i : -1;
        return new ReceiptColumns(At("id"), At("received_at"), At("asset"), At("amount"), At("wallet_address"), At("tx_id"), At("pool"), At("operation_type"), ignored);
    }

    internal static string Normalize(string header)
    {
        var chars = header.Trim().Trim('\uFEFF').ToLowerInvariant().Replace('ё', 'е').ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] is ' ' or '-' or '\u00A0')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
