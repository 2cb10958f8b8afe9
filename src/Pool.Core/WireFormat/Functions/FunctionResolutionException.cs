using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// A shipped function could not be bound to a method in this process: its assembly is missing, or this process
/// loaded a different build of it (module version ids differ), or the method no longer matches its delegate type.
/// The .NET analogue of a Python child failing to import the function.
/// </summary>
internal sealed class FunctionResolutionException : Exception
{
    public FunctionResolutionException(string message, string assemblyName, Exception? inner = null)
        : base(message, inner)
    {
        AssemblyName = assemblyName;
    }

    /// <summary>Full name of the assembly that declares the function.</summary>
    public string AssemblyName { get; }
}
