namespace KerasPS.Engine.Data.Images;

/// <summary>How an image is resampled to another size: the methods of tf.image.resize that Keras's image loading uses.</summary>
public enum ImageInterpolation { Bilinear, Nearest, Bicubic, Area }

/// <summary>
/// tf.image.resize (antialias off, Keras's default) on channels_last pixels, one axis after the other: each output
/// pixel of an axis is a weighted sum of a few input pixels. The weights follow TensorFlow's kernels exactly:
/// bilinear with half-pixel centres (source = (i + 0.5) * in/out - 0.5, edges clamped), nearest with
/// floor((i + 0.5) * in/out), bicubic with Keys' a = -0.5, TensorFlow's 1024-step coefficient table and weights outside
/// the image dropped and the rest renormalized, and area (resize_area) averaging the input span each output covers.
/// </summary>
public static class ImageResampler
{
    /// <summary>The input pixels and weights of each output pixel along one axis (<c>Taps</c> per output).</summary>
    private sealed class AxisWeights
    {
        public AxisWeights(int outSize, int taps)
        {
            Taps = taps;
            Index = new int[outSize * taps];
            Weight = new float[outSize * taps];
        }

        public int Taps { get; }
        public int[] Index { get; }
        public float[] Weight { get; }
    }

    private static readonly Dictionary<(int, int, ImageInterpolation), AxisWeights> Cache = new();

    private static AxisWeights WeightsFor(int inSize, int outSize, ImageInterpolation method)
    {
        var key = (inSize, outSize, method);
        lock (Cache)
        {
            if (Cache.TryGetValue(key, out var w)) return w;
            w = method switch
            {
                ImageInterpolation.Nearest => Nearest(inSize, outSize),
                ImageInterpolation.Bicubic => Bicubic(inSize, outSize),
                ImageInterpolation.Area => Area(inSize, outSize),
                _ => Bilinear(inSize, outSize),
            };
            if (Cache.Count > 256) Cache.Clear();
            Cache[key] = w;
            return w;
        }
    }

    private static AxisWeights Bilinear(int inSize, int outSize)
    {
        var w = new AxisWeights(outSize, 2);
        float scale = (float)inSize / outSize;
        for (int i = 0; i < outSize; i++)
        {
            float src = (i + 0.5f) * scale - 0.5f;
            float floor = MathF.Floor(src);
            int lower = Math.Max((int)floor, 0), upper = Math.Min((int)MathF.Ceiling(src), inSize - 1);
            float lerp = src - floor;
            w.Index[2 * i] = lower;
            w.Index[2 * i + 1] = upper;
            w.Weight[2 * i] = 1f - lerp;
            w.Weight[2 * i + 1] = lerp;
        }
        return w;
    }

    private static AxisWeights Nearest(int inSize, int outSize)
    {
        var w = new AxisWeights(outSize, 1);
        float scale = (float)inSize / outSize;
        for (int i = 0; i < outSize; i++)
        {
            w.Index[i] = Math.Clamp((int)MathF.Floor((i + 0.5f) * scale), 0, inSize - 1);
            w.Weight[i] = 1f;
        }
        return w;
    }

    private const int CubicTableSize = 1024;

    private static readonly float[] KeysCubicTable = BuildKeysTable(-0.5f);

    private static float[] BuildKeysTable(float a)
    {
        var t = new float[(CubicTableSize + 1) * 2];
        for (int i = 0; i <= CubicTableSize; i++)
        {
            float x = i * 1.0f / CubicTableSize;
            t[i * 2] = ((a + 2) * x - (a + 3)) * x * x + 1;
            x += 1.0f;
            t[i * 2 + 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return t;
    }

    private static AxisWeights Bicubic(int inSize, int outSize)
    {
        var w = new AxisWeights(outSize, 4);
        float scale = (float)inSize / outSize;
        var t = KeysCubicTable;
        for (int i = 0; i < outSize; i++)
        {
            float src = (i + 0.5f) * scale - 0.5f;
            int floor = (int)MathF.Floor(src);
            int offset = (int)MathF.Round((src - floor) * CubicTableSize, MidpointRounding.ToEven);
            float[] raw = { t[offset * 2 + 1], t[offset * 2], t[(CubicTableSize - offset) * 2], t[(CubicTableSize - offset) * 2 + 1] };
            float sum = 0;
            for (int k = 0; k < 4; k++)
            {
                int at = floor - 1 + k;
                bool inside = at >= 0 && at < inSize;
                w.Index[4 * i + k] = Math.Clamp(at, 0, inSize - 1);
                w.Weight[4 * i + k] = inside ? raw[k] : 0f;
                sum += w.Weight[4 * i + k];
            }
            if (MathF.Abs(sum) >= 1000f * float.Epsilon)
                for (int k = 0; k < 4; k++) w.Weight[4 * i + k] /= sum;
        }
        return w;
    }

    private static AxisWeights Area(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        int taps = (int)Math.Ceiling(scale) + 1;
        var w = new AxisWeights(outSize, taps);
        for (int i = 0; i < outSize; i++)
        {
            float start = i * scale, end = (i + 1) * scale;
            int k = 0;
            for (long v = (long)MathF.Floor(start); v < end && k < taps; v++, k++)
            {
                float overlap = MathF.Min(v + 1, end) - MathF.Max(v, start);
                w.Index[taps * i + k] = (int)Math.Min(v, inSize - 1);
                w.Weight[taps * i + k] = overlap / scale;
            }
        }
        return w;
    }

    /// <summary>
    /// Resizes <paramref name="height"/> x <paramref name="width"/> x <paramref name="channels"/> bytes (rows
    /// <paramref name="stride"/> bytes apart, the first pixel at <paramref name="offset"/>, <paramref name="pixelBytes"/>
    /// bytes a pixel) to <paramref name="outHeight"/> x <paramref name="outWidth"/> float32 pixels in 0-255, written to
    /// <paramref name="output"/>.
    /// </summary>
    public static unsafe void Resize(ReadOnlySpan<byte> source, int offset, int stride, int pixelBytes, int height, int width,
        int channels, int outHeight, int outWidth, ImageInterpolation method, Span<float> output)
    {
        var wx = WeightsFor(width, outWidth, method);
        var wy = WeightsFor(height, outHeight, method);
        int rowWidth = outWidth * channels, tx = wx.Taps, ty = wy.Taps;
        if (output.Length < outHeight * rowWidth || source.Length < offset + (height - 1) * stride + width * pixelBytes)
            throw new ArgumentException("The pixel buffers are smaller than the sizes given.");
        // Across first (every input row to the output width), then down; the middle buffer is pooled (it is large
        // enough to land on the large object heap, and this runs once per image).
        var across = System.Buffers.ArrayPool<float>.Shared.Rent(height * rowWidth);
        try
        {
            fixed (byte* src = source)
            fixed (float* mid = across, dst = output, wxw = wx.Weight, wyw = wy.Weight)
            fixed (int* wxi = wx.Index, wyi = wy.Index)
            {
                for (int y = 0; y < height; y++)
                {
                    byte* row = src + offset + y * stride;
                    float* o = mid + y * rowWidth;
                    for (int x = 0; x < outWidth; x++)
                    {
                        float* w = wxw + x * tx;
                        int* at = wxi + x * tx;
                        for (int c = 0; c < channels; c++)
                        {
                            float sum = 0;
                            for (int k = 0; k < tx; k++) sum += w[k] * row[at[k] * pixelBytes + c];
                            o[x * channels + c] = sum;
                        }
                    }
                }
                for (int y = 0; y < outHeight; y++)
                {
                    float* d = dst + y * rowWidth;
                    new Span<float>(d, rowWidth).Clear();
                    for (int k = 0; k < ty; k++)
                    {
                        float wk = wyw[y * ty + k];
                        if (wk == 0f) continue;
                        float* m = mid + wyi[y * ty + k] * rowWidth;
                        for (int i = 0; i < rowWidth; i++) d[i] += wk * m[i];
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(across);
        }
    }
}
