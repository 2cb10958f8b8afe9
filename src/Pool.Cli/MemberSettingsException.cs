namespace PoolCluster.Cli;

/// <summary>Bad input from the HOCON file, the environment or the command line; the message names where it came from.</summary>
internal sealed class MemberSettingsException(string message, Exception? inner = null) : Exception(message, inner);
