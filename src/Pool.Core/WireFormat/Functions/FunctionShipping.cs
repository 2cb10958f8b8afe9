using PoolCluster.WireFormat.Values;

namespace PoolCluster.WireFormat.Functions;

/// <summary>
/// Serializes what a call sends to children, turning any failure into a <see cref="TaskSerializationException"/>
/// at the call site, before anything is sent.
/// </summary>
internal static class FunctionShipping
{
    public static byte[] SerializeBody(Delegate userFunction, object body, int maxPayloadSize)
    {
        var bytes = FunctionShipCheck.SerializeFunctionBody(body);
        return CheckSize(bytes, maxPayloadSize, $"The function {userFunction.Method.Name} with what it captures");
    }

    public static byte[] SerializeItems<T>(T[] chunk, int firstIndex, int maxPayloadSize)
    {
        byte[] bytes;
        try
        {
            bytes = Wire.ToBytes(chunk);
        }
        catch (Exception e)
        {
            throw new TaskSerializationException(
                $"The items starting at index {firstIndex} ({typeof(T).FullName}) cannot be serialized to travel to a child process: {e.Message}", inner: e);
        }
        return CheckSize(bytes, maxPayloadSize, chunk.Length == 1 ? $"The argument at index {firstIndex}" : $"The chunk of {chunk.Length} items starting at index {firstIndex}");
    }

    private static byte[] CheckSize(byte[] bytes, int limit, string what)
    {
        if (bytes.Length <= limit) return bytes;
        throw new PayloadTooLargeException(
            $"{what} serializes to {bytes.Length:N0} bytes, above the limit of {limit:N0} bytes " +
            "(poolcluster.pool.max-payload-size, or PoolOptions.MaxPayloadSize). Nothing was sent; use a smaller chunkSize or raise the limit.",
            bytes.Length, limit);
    }
}
