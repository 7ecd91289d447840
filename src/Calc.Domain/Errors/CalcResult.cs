namespace Calc.Domain.Errors;

/// <summary>
/// Either a value or the <see cref="CalcError"/> that explains why there is none. Domain computations
/// return this instead of throwing, so that one bad batch item becomes a per-item error.
/// </summary>
public readonly struct CalcResult<T>
{
    private readonly T? _value;

    private CalcResult(T? value, CalcError? error)
    {
        _value = value;
        Error = error;
    }

    public CalcError? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The value; throws <see cref="CalcException"/> carrying the error when there is none.</summary>
    public T Value => Error is null ? _value! : throw new CalcException(Error);

    public static CalcResult<T> Ok(T value) => new(value, null);

    public static CalcResult<T> Fail(CalcError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

#pragma warning disable CA2225 // Ok/Fail are the named alternatives
    public static implicit operator CalcResult<T>(T value) => Ok(value);

    public static implicit operator CalcResult<T>(CalcError error) => Fail(error);
#pragma warning restore CA2225

    public bool TryGetValue(out T value, out CalcError? error)
    {
        value = _value!;
        error = Error;
        return Error is null;
    }
}
