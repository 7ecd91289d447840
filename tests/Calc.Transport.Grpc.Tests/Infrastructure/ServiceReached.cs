namespace Calc.Transport.Grpc.Tests.Infrastructure;

/// <summary>
/// Repeats a short-deadline call until one attempt reached the service. On a loaded machine a 200 ms deadline can
/// pass while the request body is still being read; that attempt says nothing about what the service observes.
/// </summary>
public static class ServiceReached
{
    private const int Attempts = 5;

    /// <summary>
    /// Makes the call with ids "<paramref name="idPrefix"/>-1", "-2", … until the probe service started for one of
    /// them, checking every attempt's outcome with <paramref name="check"/>; returns that attempt's outcome and id.
    /// </summary>
    public static async Task<(T Outcome, string Id)> WithDeadlineAsync<T>(ProbeState state, string idPrefix, Func<string, Task<T>> call,
        Action<T> check)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(check);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var id = $"{idPrefix}-{attempt}";
            var outcome = await call(id);
            check(outcome);

            // the service marks itself started before the deadline can answer for it, so this is final here
            if (state.Started(id).IsCompleted)
            {
                return (outcome, id);
            }
        }

        throw new Xunit.Sdk.XunitException($"the deadline passed before the service started in all {Attempts} attempts");
    }
}
