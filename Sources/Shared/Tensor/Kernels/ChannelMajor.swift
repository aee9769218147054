// Moving a batch between NCHW and "channel-major" [C, N*P] layout, so one GEMM can serve
// the whole batch (the columns of all images side by side).
//
// Legend: N = batch, C = channels, P = pixels per image (H*W).
// batch: [N, C, P]; channelMajor: [C, N*P], column n*P + p.
import SharedSupport

public enum ChannelMajor {
    /// channelMajor[C, N*P] = batch[N, C, P] rearranged.
    public static func gather(_ batch: UnsafePointer<Float>, n: Int, c: Int, p: Int,
                              into channelMajor: UnsafeMutablePointer<Float>, parallelism: Parallelism) {
        parallelism.forEach(c, minimumChunk: max(1, 16384 / max(1, n * p))) { ch in
            for image in 0..<n {
                (channelMajor + ch * n * p + image * p).update(from: batch + (image * c + ch) * p, count: p)
            }
        }
    }

    /// batch[N, C, P] = channelMajor[C, N*P] rearranged (overwrites).
    public static func scatter(_ channelMajor: UnsafePointer<Float>, n: Int, c: Int, p: Int,
                               into batch: UnsafeMutablePointer<Float>, parallelism: Parallelism) {
        parallelism.forEach(c, minimumChunk: max(1, 16384 / max(1, n * p))) { ch in
            for image in 0..<n {
                (batch + (image * c + ch) * p).update(from: channelMajor + ch * n * p + image * p, count: p)
            }
        }
    }
}
