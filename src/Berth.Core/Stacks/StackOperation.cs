using System.Text;
using Berth.Docker;

namespace Berth.Core.Stacks;

public enum OperationState
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>One line of an action's output: its number since the start (to resume after), the stream it came from and the text.</summary>
public sealed record OperationLine(long Sequence, string Stream, string Text)
{
    public const string Out = "stdout";
    public const string Err = "stderr";
}

/// <summary>An action's state as read at one moment.</summary>
public sealed record OperationSnapshot(OperationState State, long? ExitCode, long FirstSequence, IReadOnlyList<OperationLine> Lines);

/// <summary>What a follower of an action receives: lines, a note that older lines were dropped, then the end.</summary>
public abstract record OperationEvent
{
    public sealed record Line(OperationLine Value) : OperationEvent;

    public sealed record Skipped(long Count) : OperationEvent;

    public sealed record Ended(OperationState State, long? ExitCode) : OperationEvent;
}

/// <summary>
/// One action on one stack (<c>docker compose up</c> and friends) running inside a server. It runs
/// on by itself whoever watches; its output is kept as the last <see cref="Capacity"/> lines (each
/// at most <see cref="MaxLineChars"/> characters), so memory is bounded whatever it prints. Any
/// number of followers read it: each replays what is kept, then follows until the end.
/// </summary>
public sealed class StackOperation
{
    public const int MaxLineChars = 4096;

    private readonly object _gate = new();
    private readonly OperationLine?[] _ring;
    private readonly LineSplitter _out = new(OperationLine.Out);
    private readonly LineSplitter _err = new(OperationLine.Err);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _next;

    internal StackOperation(string id, long serverId, StackName stack, StackAction action, long userId, DateTimeOffset startedAt, int capacity)
    {
        Id = id;
        ServerId = serverId;
        Stack = stack;
        Action = action;
        UserId = userId;
        StartedAt = startedAt;
        _ring = new OperationLine?[capacity];
    }

    public string Id { get; }

    public long ServerId { get; }

    public StackName Stack { get; }

    public StackAction Action { get; }

    /// <summary>Who started it.</summary>
    public long UserId { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? EndedAt { get; private set; }

    public OperationState State { get; private set; }

    public long? ExitCode { get; private set; }

    public int Capacity => _ring.Length;

    public OperationSnapshot Snapshot()
    {
        lock (_gate)
        {
            var first = Math.Max(0, _next - _ring.Length);
            return new OperationSnapshot(State, ExitCode, first, Range(first));
        }
    }

    /// <summary>Replays the kept lines, then follows new ones until the action ends (then its end) or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<OperationEvent> FollowAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long next = 0;
        while (true)
        {
            List<OperationLine> batch;
            long skipped;
            bool ended;
            Task changed;
            lock (_gate)
            {
                var first = Math.Max(0, _next - _ring.Length);
                skipped = Math.Max(0, first - next);
                batch = Range(Math.Max(next, first));
                next = _next;
                ended = State != OperationState.Running;
                changed = _changed.Task;
            }

            if (skipped > 0)
            {
                yield return new OperationEvent.Skipped(skipped);
            }

            foreach (var line in batch)
            {
                yield return new OperationEvent.Line(line);
            }

            if (ended)
            {
                yield return new OperationEvent.Ended(State, ExitCode);
                yield break;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Output as read from the exec; split into lines per stream.</summary>
    internal void Append(ExecOutput stream, ReadOnlySpan<byte> bytes)
    {
        var splitter = stream == ExecOutput.StandardError ? _err : _out;
        lock (_gate)
        {
            splitter.Feed(bytes, Add);
        }

        Signal();
    }

    /// <summary>A line Berth itself adds (why an action could not start, for instance).</summary>
    internal void Note(string text)
    {
        lock (_gate)
        {
            Add(OperationLine.Err, text);
        }

        Signal();
    }

    internal void Finish(long? exitCode, DateTimeOffset at)
    {
        lock (_gate)
        {
            _out.Flush(Add);
            _err.Flush(Add);
            ExitCode = exitCode;
            State = exitCode == 0 ? OperationState.Succeeded : OperationState.Failed;
            EndedAt = at;
        }

        Signal();
    }

    private void Add(string stream, string text)
    {
        _ring[_next % _ring.Length] = new OperationLine(_next, stream, text);
        _next++;
    }

    private List<OperationLine> Range(long from)
    {
        var lines = new List<OperationLine>((int)Math.Max(0, _next - from));
        for (var i = from; i < _next; i++)
        {
            lines.Add(_ring[i % _ring.Length]!);
        }

        return lines;
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    /// <summary>Bytes to lines for one stream: a line ends at <c>\n</c> (a <c>\r</c> before it is dropped), a longer one is cut at <see cref="MaxLineChars"/>.</summary>
    private sealed class LineSplitter(string stream)
    {
        private readonly List<byte> _pending = [];

        public void Feed(ReadOnlySpan<byte> bytes, Action<string, string> emit)
        {
            foreach (var b in bytes)
            {
                if (b == (byte)'\n')
                {
                    Flush(emit);
                    continue;
                }

                _pending.Add(b);
                if (_pending.Count >= MaxLineChars)
                {
                    Flush(emit);
                }
            }
        }

        public void Flush(Action<string, string> emit)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            var text = Encoding.UTF8.GetString([.. _pending]).TrimEnd('\r');
            _pending.Clear();
            emit(stream, text);
        }
    }
}
