// Background prefetch: a thread of its own produces items 0, 1, 2, ... of a range into a
// bounded queue while the caller consumes them in order, so training does not wait on
// decoding. Results do not depend on timing: item k is always `produce(k)`. An error in
// the producer is handed to the consumer at that item.
import Foundation

public final class Prefetcher<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(Int, Result<Item, Error>)] = []
    private var stopped = false
    /// The producer has returned (range done, stopped, or after an error).
    private var producerDone = false
    private let capacity: Int
    private let range: Range<Int>
    private var nextToConsume: Int
    /// Seconds the consumer spent blocked waiting for an item (0 when prefetch keeps up).
    public private(set) var waitedSeconds: Double = 0

    /// Starts producing `produce(k)` for k in `range`, at most `capacity` items ahead.
    public init(range: Range<Int>, capacity: Int = 2, produce: @escaping @Sendable (Int) throws -> Item) {
        precondition(capacity >= 1, "capacity must be at least 1")
        self.capacity = capacity
        self.range = range
        nextToConsume = range.lowerBound
        let thread = Thread { [self] in self.run(produce) }
        thread.name = "loader-prefetch"
        thread.start()
    }

    deinit { stop() }

    private func run(_ produce: @Sendable (Int) throws -> Item) {
        defer {
            condition.lock()
            producerDone = true
            condition.broadcast()
            condition.unlock()
        }
        for k in range {
            condition.lock()
            while queue.count >= capacity && !stopped { condition.wait() }
            let halt = stopped
            condition.unlock()
            if halt { return }
            let result = Result { try produce(k) }
            condition.lock()
            queue.append((k, result))
            condition.broadcast()
            condition.unlock()
            if case .failure = result { return }
        }
    }

    /// The next item in order (blocks until produced); nil after the range's end, after
    /// `stop()`, and after an error has been delivered.
    public func next() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToConsume < range.upperBound, !stopped else { return nil }
        let start = Date()
        var waited = false
        while queue.isEmpty && !producerDone { waited = true; condition.wait() }
        if waited { waitedSeconds += Date().timeIntervalSince(start) }
        guard !queue.isEmpty else { return nil }
        let (k, result) = queue.removeFirst()
        precondition(k == nextToConsume, "prefetch out of order")
        nextToConsume += 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops the producer after its current item (idempotent).
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
