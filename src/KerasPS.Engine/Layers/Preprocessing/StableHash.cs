using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace KerasPS.Engine.Layers.Preprocessing;

/// <summary>
/// The two string hashes Keras's Hashing layer uses (through TensorFlow): FarmHash's <c>Fingerprint64</c>
/// (farmhashna::Hash64, behind <c>tf.strings.to_hash_bucket_fast</c>) when there is no salt, and SipHash-2-4 keyed by
/// the two salt words (behind <c>tf.strings.to_hash_bucket_strong</c>) when there is one. Both read the UTF-8 bytes of
/// the string and are the same on every platform, so a bin computed here is the bin Keras computes.
/// </summary>
public static class StableHash
{
    private const ulong K0 = 0xc3a5c85c97cb3127UL;
    private const ulong K1 = 0xb492b66fbe98f273UL;
    private const ulong K2 = 0x9ae16a3b2f90404fUL;

    /// <summary>FarmHash Fingerprint64 of the string's UTF-8 bytes.</summary>
    public static ulong Fingerprint64(string value) => Fingerprint64(Encoding.UTF8.GetBytes(value));

    /// <summary>FarmHash Fingerprint64 (farmhashna::Hash64) of the bytes.</summary>
    public static ulong Fingerprint64(ReadOnlySpan<byte> s)
    {
        int len = s.Length;
        if (len <= 16) return HashLen0To16(s);
        if (len <= 32) return HashLen17To32(s);
        if (len <= 64) return HashLen33To64(s);

        const ulong seed = 81;
        ulong x = seed, y = unchecked(seed * K1 + 113), z = unchecked(ShiftMix(y * K2 + 113) * K2);
        (ulong First, ulong Second) v = (0, 0), w = (0, 0);
        unchecked
        {
            x = x * K2 + F64(s, 0);
            int end = (len - 1) / 64 * 64;
            int last64 = len - 64;
            int p = 0;
            do
            {
                x = Rotr(x + y + v.First + F64(s, p + 8), 37) * K1;
                y = Rotr(y + v.Second + F64(s, p + 48), 42) * K1;
                x ^= w.Second;
                y += v.First + F64(s, p + 40);
                z = Rotr(z + w.First, 33) * K1;
                v = WeakHashLen32WithSeeds(s, p, v.Second * K1, x + w.First);
                w = WeakHashLen32WithSeeds(s, p + 32, z + w.Second, y + F64(s, p + 16));
                (z, x) = (x, z);
                p += 64;
            } while (p != end);
            ulong mul = K1 + ((z & 0xff) << 1);
            p = last64;
            w.First += (ulong)((len - 1) & 63);
            v.First += w.First;
            w.First += v.First;
            x = Rotr(x + y + v.First + F64(s, p + 8), 37) * mul;
            y = Rotr(y + v.Second + F64(s, p + 48), 42) * mul;
            x ^= w.Second * 9;
            y += v.First * 9 + F64(s, p + 40);
            z = Rotr(z + w.First, 33) * mul;
            v = WeakHashLen32WithSeeds(s, p, v.Second * mul, x + w.First);
            w = WeakHashLen32WithSeeds(s, p + 32, z + w.Second, y + F64(s, p + 16));
            (z, x) = (x, z);
            return HashLen16(HashLen16(v.First, w.First, mul) + ShiftMix(y) * K0 + z, HashLen16(v.Second, w.Second, mul) + x, mul);
        }
    }

    /// <summary>SipHash-2-4 of the string's UTF-8 bytes under the key (k0, k1): TensorFlow's StrongKeyedHash.</summary>
    public static ulong SipHash64(ulong k0, ulong k1, string value) => SipHash64(k0, k1, Encoding.UTF8.GetBytes(value));

    /// <summary>SipHash-2-4 of the bytes under the 128-bit key (k0, k1).</summary>
    public static ulong SipHash64(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        ulong v0 = k0 ^ 0x736f6d6570736575UL, v1 = k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = k0 ^ 0x6c7967656e657261UL, v3 = k1 ^ 0x7465646279746573UL;
        int whole = data.Length / 8 * 8;
        for (int i = 0; i < whole; i += 8)
        {
            ulong m = F64(data, i);
            v3 ^= m;
            SipRound(ref v0, ref v1, ref v2, ref v3);
            SipRound(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }
        ulong b = (ulong)data.Length << 56;
        for (int i = whole; i < data.Length; i++) b |= (ulong)data[i] << (8 * (i - whole));
        v3 ^= b;
        SipRound(ref v0, ref v1, ref v2, ref v3);
        SipRound(ref v0, ref v1, ref v2, ref v3);
        v0 ^= b;
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) SipRound(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void SipRound(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        unchecked
        {
            v0 += v1; v1 = BitOperations.RotateLeft(v1, 13); v1 ^= v0; v0 = BitOperations.RotateLeft(v0, 32);
            v2 += v3; v3 = BitOperations.RotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = BitOperations.RotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = BitOperations.RotateLeft(v1, 17); v1 ^= v2; v2 = BitOperations.RotateLeft(v2, 32);
        }
    }

    private static ulong F64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(at, 8));
    private static ulong F32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(at, 4));
    private static ulong Rotr(ulong v, int shift) => BitOperations.RotateRight(v, shift);
    private static ulong ShiftMix(ulong v) => v ^ (v >> 47);

    private static ulong HashLen16(ulong u, ulong v, ulong mul)
    {
        unchecked
        {
            ulong a = (u ^ v) * mul;
            a ^= a >> 47;
            ulong b = (v ^ a) * mul;
            b ^= b >> 47;
            return b * mul;
        }
    }

    private static ulong HashLen0To16(ReadOnlySpan<byte> s)
    {
        ulong len = (ulong)s.Length;
        unchecked
        {
            if (len >= 8)
            {
                ulong mul = K2 + len * 2;
                ulong a = F64(s, 0) + K2;
                ulong b = F64(s, s.Length - 8);
                ulong c = Rotr(b, 37) * mul + a;
                ulong d = (Rotr(a, 25) + b) * mul;
                return HashLen16(c, d, mul);
            }
            if (len >= 4)
            {
                ulong mul = K2 + len * 2;
                ulong a = F32(s, 0);
                return HashLen16(len + (a << 3), F32(s, s.Length - 4), mul);
            }
            if (len > 0)
            {
                uint y = s[0] + ((uint)s[s.Length >> 1] << 8);
                uint z = (uint)len + ((uint)s[s.Length - 1] << 2);
                return ShiftMix((y * K2) ^ (z * K0)) * K2;
            }
            return K2;
        }
    }

    private static ulong HashLen17To32(ReadOnlySpan<byte> s)
    {
        ulong len = (ulong)s.Length;
        unchecked
        {
            ulong mul = K2 + len * 2;
            ulong a = F64(s, 0) * K1;
            ulong b = F64(s, 8);
            ulong c = F64(s, s.Length - 8) * mul;
            ulong d = F64(s, s.Length - 16) * K2;
            return HashLen16(Rotr(a + b, 43) + Rotr(c, 30) + d, a + Rotr(b + K2, 18) + c, mul);
        }
    }

    private static ulong HashLen33To64(ReadOnlySpan<byte> s)
    {
        ulong len = (ulong)s.Length;
        unchecked
        {
            ulong mul = K2 + len * 2;
            ulong a = F64(s, 0) * K2;
            ulong b = F64(s, 8);
            ulong c = F64(s, s.Length - 8) * mul;
            ulong d = F64(s, s.Length - 16) * K2;
            ulong y = Rotr(a + b, 43) + Rotr(c, 30) + d;
            ulong z = HashLen16(y, a + Rotr(b + K2, 18) + c, mul);
            ulong e = F64(s, 16) * mul;
            ulong f = F64(s, 24);
            ulong g = (y + F64(s, s.Length - 32)) * mul;
            ulong h = (z + F64(s, s.Length - 24)) * mul;
            return HashLen16(Rotr(e + f, 43) + Rotr(g, 30) + h, e + Rotr(f + a, 18) + g, mul);
        }
    }

    private static (ulong, ulong) WeakHashLen32WithSeeds(ReadOnlySpan<byte> s, int at, ulong a, ulong b)
    {
        ulong w = F64(s, at), x = F64(s, at + 8), y = F64(s, at + 16), z = F64(s, at + 24);
        unchecked
        {
            a += w;
            b = Rotr(b + a + z, 21);
            ulong c = a;
            a += x;
            a += y;
            b += Rotr(a, 44);
            return (a + z, b + c);
        }
    }
}
