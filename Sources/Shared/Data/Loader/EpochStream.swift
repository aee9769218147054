// The endless stream of training images: epoch 0's order, then epoch 1's, ... (each a pure
// function of the epoch), cut into batches of `batchSize` consecutive positions; a batch
// may span an epoch boundary (detectron2's infinite sampler). Iteration i's images are
// positions [i * B, (i + 1) * B) of the stream, so resuming at any iteration is exact.

/// Where one stream position lies.
public struct StreamPosition: Sendable, Equatable {
    public var epoch: Int
    /// Position inside the epoch's order.
    public var position: Int
    /// The dataset record there.
    public var datasetIndex: Int
}

/// Positions of the stream by iteration; epoch orders are computed on demand and cached.
/// Not thread-safe: one owner (the loader's producer thread).
public final class EpochStream: @unchecked Sendable {
    public let batchSize: Int
    private let order: @Sendable (Int) -> [Int]
    private var orders: [[Int]] = []
    /// Stream position where each computed epoch starts.
    private var starts: [Int] = []

    /// `order(epoch)` lists the dataset records of that epoch (must not be empty).
    public init(batchSize: Int, order: @escaping @Sendable (Int) -> [Int]) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.batchSize = batchSize
        self.order = order
    }

    /// The records of `epoch` (computed once).
    public func epochOrder(_ epoch: Int) -> [Int] {
        extend(toEpoch: epoch)
        return orders[epoch]
    }

    private func extend(toEpoch epoch: Int) {
        while orders.count <= epoch {
            let next = order(orders.count)
            precondition(!next.isEmpty, "epoch \(orders.count) has no images")
            starts.append((starts.last ?? 0) + (orders.last?.count ?? 0))
            orders.append(next)
        }
    }

    /// The stream entry at absolute `position`.
    public func entry(at position: Int) -> StreamPosition {
        precondition(position >= 0, "negative stream position")
        extend(toEpoch: 0)
        while starts[starts.count - 1] + orders[orders.count - 1].count <= position { extend(toEpoch: orders.count) }
        var epoch = starts.count - 1
        while starts[epoch] > position { epoch -= 1 }
        let inside = position - starts[epoch]
        return StreamPosition(epoch: epoch, position: inside, datasetIndex: orders[epoch][inside])
    }

    /// The entries of training iteration `iteration` (0-based).
    public func batch(iteration: Int) -> [StreamPosition] {
        (0..<batchSize).map { entry(at: iteration * batchSize + $0) }
    }
}
