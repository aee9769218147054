// `predict --per-class-topk K`: the K best detections of each class over the whole dataset
// (the Fixed AP protocol's input, large-vocab-devil `lvdevil/infer_topk.py`): one bounded
// min-heap per class, so memory stays classes x K detections whatever the dataset's size. A
// class's K-th best score so far is its threshold for the next images (`thresholds`), so
// detections that cannot enter are dropped before their masks are made. Ties keep the earlier
// detection (the reference's stable sort by score over detections in image order).
import SharedData

public struct PerClassTopK: Sendable {
    public let k: Int
    /// Per class: a min-heap on (score, later arrival first).
    private var heaps: [[Entry]]
    private var arrivals = 0

    struct Entry: Sendable {
        var score: Float
        var arrival: Int
        var result: DetectionResult
        /// Whether `self` ranks below `other` (evicted first): lower score, or the later of equal scores.
        func ranksBelow(_ other: Entry) -> Bool { score < other.score || (score == other.score && arrival > other.arrival) }
    }

    /// The protocol's score floor is the model's test threshold (`predict` sets 1e-7): NMS
    /// applies it before anything is offered here.
    public init(classCount: Int, k: Int) {
        precondition(k >= 1, "keep at least one detection per class")
        self.k = k
        heaps = Array(repeating: [], count: classCount)
    }

    /// Per class, the score a new detection must beat: the K-th best so far once K are kept
    /// (-infinity before: every detection enters).
    public var thresholds: [Float] {
        heaps.map { heap in heap.count == k ? heap[0].score : -.infinity }
    }

    /// Offers one detection of class `classIndex`; kept if it ranks among the class's best K so far.
    public mutating func offer(_ result: DetectionResult, score: Float, classIndex: Int) {
        let entry = Entry(score: score, arrival: arrivals, result: result)
        arrivals += 1
        if heaps[classIndex].count < k {
            heaps[classIndex].append(entry)
            siftUp(&heaps[classIndex], heaps[classIndex].count - 1)
        } else if heaps[classIndex][0].ranksBelow(entry) {
            heaps[classIndex][0] = entry
            siftDown(&heaps[classIndex], 0)
        }
    }

    /// Every kept detection: class by class (index order), each class's best first.
    public func results() -> [DetectionResult] {
        heaps.flatMap { heap in heap.sorted { $1.ranksBelow($0) }.map(\.result) }
    }

    public var count: Int { heaps.reduce(0) { $0 + $1.count } }

    private func siftUp(_ heap: inout [Entry], _ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].ranksBelow(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ heap: inout [Entry], _ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var lowest = parent
            if left < heap.count && heap[left].ranksBelow(heap[lowest]) { lowest = left }
            if right < heap.count && heap[right].ranksBelow(heap[lowest]) { lowest = right }
            guard lowest != parent else { return }
            heap.swapAt(parent, lowest)
            parent = lowest
        }
    }
}
