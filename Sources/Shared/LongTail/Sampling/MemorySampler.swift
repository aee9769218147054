// Which memory features join an iteration (docs/method.md §Sampler): classes drawn with
// probability q_c = (1 / (s_c + 1e-7)) / sum_k (1 / (s_k + 1e-7)) over the foreground
// classes, 8 draws with replacement; for each drawn class with a non-empty queue, 4 filled
// slots uniformly with replacement. Up to 32 samples, each with weight 1.
// Draw order (for exact resume): class draws first (8 uniform doubles, inverse CDF), sorted
// ascending like the reference (which walks the CDF with sorted uniforms), then per drawn
// class in that order 4 slot draws (nextInt). Empty queues draw no slots.
import SharedSupport

/// One memory sample: a queue and a slot in it.
public struct MemorySample: Hashable, Sendable {
    public var classIndex: Int
    public var slot: Int
}

/// What to do with classes whose queue is empty.
public enum EmptyQueuePolicy: String, Codable, Sendable, CaseIterable {
    /// The method's rule (docs/method.md §Sampler): draw over all foreground classes; an empty
    /// drawn class gives no samples.
    case drawAndSkip
    /// Draw only among classes with a non-empty queue (q renormalised over them).
    case excludeFromDraw
}

/// Draws memory samples from the mean scores.
public struct MemorySampler: Hashable, Sendable {
    public var classesPerIteration: Int
    public var featuresPerClass: Int
    public var epsilon: Double
    public var emptyQueuePolicy: EmptyQueuePolicy

    public init(classesPerIteration: Int = 8, featuresPerClass: Int = 4, epsilon: Double = 1e-7,
                emptyQueuePolicy: EmptyQueuePolicy = .drawAndSkip) {
        precondition(classesPerIteration > 0 && featuresPerClass > 0, "sample counts must be positive")
        self.classesPerIteration = classesPerIteration; self.featuresPerClass = featuresPerClass
        self.epsilon = epsilon; self.emptyQueuePolicy = emptyQueuePolicy
    }

    /// q over the foreground classes (`foregroundScores` = s without the background entry);
    /// classes with `eligible[c] == false` get 0. All zero when no class is eligible.
    public func classProbabilities(foregroundScores: [Float], eligible: [Bool]? = nil) -> [Double] {
        var weights = foregroundScores.enumerated().map { c, s in
            (eligible?[c] ?? true) ? 1 / (Double(s) + epsilon) : 0
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { return weights }
        for c in weights.indices { weights[c] /= total }
        return weights
    }

    /// This iteration's samples.
    public func sample(memory: FeatureMemory, meanScores: MeanScores, random: inout SeededRandom) -> [MemorySample] {
        precondition(memory.classCount == meanScores.foregroundClassCount, "memory and mean scores disagree on C")
        let foreground = Array(meanScores.scores[0..<meanScores.foregroundClassCount])
        let eligible = emptyQueuePolicy == .excludeFromDraw ? memory.counts.map { $0 > 0 } : nil
        let q = classProbabilities(foregroundScores: foreground, eligible: eligible)
        guard q.contains(where: { $0 > 0 }) else { return [] }
        let classes = drawCategorical(q, count: classesPerIteration, random: &random).sorted()
        var samples: [MemorySample] = []
        for c in classes where memory.counts[c] > 0 {
            for _ in 0..<featuresPerClass {
                samples.append(MemorySample(classIndex: c, slot: random.nextInt(below: memory.counts[c])))
            }
        }
        return samples
    }
}

/// `count` draws with replacement from the categorical distribution `probabilities`
/// (summing to 1) by inverse CDF on uniform doubles; zero-probability entries never come up.
public func drawCategorical(_ probabilities: [Double], count: Int, random: inout SeededRandom) -> [Int] {
    var cumulative = [Double](repeating: 0, count: probabilities.count)
    var running = 0.0
    for (i, p) in probabilities.enumerated() { running += p; cumulative[i] = running }
    let last = probabilities.lastIndex(where: { $0 > 0 }) ?? (probabilities.count - 1)
    return (0..<count).map { _ in
        let u = random.nextDouble() * running
        // First index whose cumulative sum exceeds u (binary search).
        var low = 0, high = last
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
