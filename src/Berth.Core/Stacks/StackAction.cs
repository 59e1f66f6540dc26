using Berth.Core.Errors;

namespace Berth.Core.Stacks;

/// <summary>What can be done to a stack with <c>docker compose</c>, as the API names it.</summary>
public enum StackAction
{
    Up,
    Down,
    Restart,
    Stop,
    Start,
    Pull,
}

public static class StackActions
{
    public static StackAction Parse(string? text) => text switch
    {
        "up" => StackAction.Up,
        "down" => StackAction.Down,
        "restart" => StackAction.Restart,
        "stop" => StackAction.Stop,
        "start" => StackAction.Start,
        "pull" => StackAction.Pull,
        _ => throw BerthException.NotFound("ACTION_NOT_FOUND", "The actions are up, down, restart, stop, start and pull."),
    };

    public static string Word(this StackAction action) => action.ToString().ToLowerInvariant();

    /// <summary>The Compose subcommand and its options (after the project options).</summary>
    public static IReadOnlyList<string> Arguments(this StackAction action) => action switch
    {
        StackAction.Up => ["up", "--detach", "--remove-orphans"],
        StackAction.Down => ["down", "--remove-orphans"],
        StackAction.Restart => ["restart"],
        StackAction.Stop => ["stop"],
        StackAction.Start => ["start"],
        StackAction.Pull => ["pull"],
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
