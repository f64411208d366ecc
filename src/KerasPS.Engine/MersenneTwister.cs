namespace KerasPS.Engine;

/// <summary>
/// MT19937 seeded the way CPython's <c>random.seed(int)</c> seeds it, so that a seed gives the same stream on every
/// machine and runtime (System.Random makes no such promise across .NET versions) and so that recipes written in
/// Python, such as ../shared/tools/make-otto.py, can be reproduced number for number.
/// </summary>
public sealed class MersenneTwister
{
    private const int N = 624, M = 397;
    private readonly uint[] mt = new uint[N];
    private int mti;

    public MersenneTwister(long seed)
    {
        // CPython: init_by_array with the 32-bit words of abs(seed), least significant first.
        ulong s = (ulong)Math.Abs(seed);
        var key = new List<uint>();
        do { key.Add((uint)(s & 0xffffffff)); s >>= 32; } while (s != 0);
        InitByArray(key.ToArray());
    }

    private MersenneTwister(uint seed) => InitGenrand(seed);

    /// <summary>
    /// NumPy's legacy <c>np.random.RandomState(seed)</c> generator (MT19937 seeded with init_genrand), the one Keras's
    /// image_dataset_from_directory and text_dataset_from_directory shuffle their file lists with.
    /// </summary>
    public static MersenneTwister NumPyRandomState(uint seed) => new(seed);

    /// <summary>
    /// NumPy's legacy <c>RandomState.shuffle</c> of a list, in place: from the last element down, swap with one drawn
    /// by masked rejection sampling of 32-bit words (NumPy's random_interval).
    /// </summary>
    public void NumPyShuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            uint max = (uint)i, mask = max;
            mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
            uint j;
            while ((j = NextUInt32() & mask) > max) { }
            (items[i], items[(int)j]) = (items[(int)j], items[i]);
        }
    }

    private static readonly object GlobalLock = new();
    private static MersenneTwister? global;

    /// <summary>The seed given to <see cref="SetGlobalSeed"/>, or null when unseeded draws are random.</summary>
    public static long? GlobalSeed { get; private set; }

    /// <summary>
    /// Keras's <c>set_random_seed</c>: from now on every seed the engine draws for itself (an unseeded model's weights,
    /// fit shuffles and dropout, splits, sweeps) comes from one sequence that starts at <paramref name="seed"/>, so the
    /// same script gives the same results. Null goes back to random seeds.
    /// </summary>
    public static void SetGlobalSeed(long? seed)
    {
        lock (GlobalLock)
        {
            GlobalSeed = seed;
            global = seed is long s ? new MersenneTwister(s) : null;
        }
    }

    /// <summary>A seed for a fresh, unseeded generator: the next of the global sequence when one was set, otherwise random.</summary>
    public static long RandomSeed()
    {
        lock (GlobalLock)
            return global is null ? Random.Shared.NextInt64(0, int.MaxValue) : global.NextUInt32() & int.MaxValue;
    }

    private void InitGenrand(uint s)
    {
        mt[0] = s;
        for (mti = 1; mti < N; mti++)
            mt[mti] = 1812433253u * (mt[mti - 1] ^ (mt[mti - 1] >> 30)) + (uint)mti;
    }

    private void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++; j++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
        }
        mt[0] = 0x80000000u;
    }

    public uint NextUInt32()
    {
        if (mti >= N)
        {
            int kk;
            uint y;
            for (kk = 0; kk < N - M; kk++)
            {
                y = (mt[kk] & 0x80000000u) | (mt[kk + 1] & 0x7fffffffu);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ ((y & 1u) * 0x9908b0dfu);
            }
            for (; kk < N - 1; kk++)
            {
                y = (mt[kk] & 0x80000000u) | (mt[kk + 1] & 0x7fffffffu);
                mt[kk] = mt[kk + (M - N)] ^ (y >> 1) ^ ((y & 1u) * 0x9908b0dfu);
            }
            y = (mt[N - 1] & 0x80000000u) | (mt[0] & 0x7fffffffu);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ ((y & 1u) * 0x9908b0dfu);
            mti = 0;
        }
        uint x = mt[mti++];
        x ^= x >> 11;
        x ^= (x << 7) & 0x9d2c5680u;
        x ^= (x << 15) & 0xefc60000u;
        x ^= x >> 18;
        return x;
    }

    /// <summary>Uniform in [0, 1) with 53 bits, as Python's random().</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /// <summary>Uniform integer in [0, n), as Python's randrange(n) (rejection sampling on getrandbits).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        int k = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        uint r = NextUInt32() >> (32 - k);
        while (r >= n) r = NextUInt32() >> (32 - k);
        return (int)r;
    }

    /// <summary>Exponential with rate lambda, as Python's expovariate.</summary>
    public double Exponential(double lambda) => -Math.Log(1.0 - NextDouble()) / lambda;

    private double? spare;

    /// <summary>Standard normal (Box-Muller, pairs cached).</summary>
    public double NextGaussian()
    {
        if (spare is double s) { spare = null; return s; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
