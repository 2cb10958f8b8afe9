using PoolCluster.Tasks;

namespace PoolCluster;

/// <summary>
/// Serializes what a call sends to children, turning any failure into a <see cref="TaskSerializationException"/>
/// at the call site, before anything is sent.
/// </summary>
internal static class FunctionShipping
{
    public static byte[] SerializeBody(Delegate userFunction, object body)
    {
        _ = userFunction;
        return Serialization.FunctionShipCheck.SerializeFunctionBody(body);
    }

    public static byte[] SerializeItems<T>(T[] chunk, int firstIndex)
    {
        try
        {
            return Wire.ToBytes(chunk);
        }
        catch (Exception e)
        {
            throw new TaskSerializationException(
                $"The items starting at index {firstIndex} ({typeof(T).FullName}) cannot be serialized to travel to a child process: {e.Message}", inner: e);
        }
    }
}
