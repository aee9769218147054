// `solver.gradientSum: "exact"`: a batch's gradient as the exact mean of its images' own
// gradients, computed by whichever rank owns each image (`DataParallelShare`) and summed in
// fixed point (`ExactGradientSum`), so that R ranks x T threads give the bits of 1 rank.
// Each image is its own forward/backward (padded to its own size, losses normalised over its
// own samples, RoI/anchor sampling from `imageSampling(seed:iteration:position:)`); the losses
// logged are the images' mean, in batch order, gathered from every rank.
import SharedSupport
import SharedTensor
import SharedNN
import SharedData

/// The positions of each global batch one rank computes: rank r of R has the r-th of R equal
/// contiguous parts.
public struct DataParallelShare: Sendable, Equatable {
    public let rank: Int
    public let ranks: Int
    public let batchSize: Int

    /// Throws unless `ranks` divides `batchSize` and the gradient sum allows several ranks.
    public init(processes: ProcessGroup, batchSize: Int, gradientSum: GradientSum) throws {
        if processes.isDistributed && gradientSum != .exact {
            throw ToolError("this run has \(processes.size) ranks but solver.gradientSum is \"\(gradientSum.rawValue)\"",
                            hint: "set \"solver\": {\"gradientSum\": \"exact\"} in the config (a 1-process run of that "
                            + "config then gives the same bits as any rank count)", exitCode: .usage)
        }
        guard batchSize % processes.size == 0 else {
            throw ToolError("solver.imagesPerBatch \(batchSize) cannot be split over \(processes.size) ranks",
                            hint: "launch a number of ranks that divides \(batchSize)", exitCode: .usage)
        }
        rank = processes.rank; ranks = processes.size; self.batchSize = batchSize
    }

    public var positions: Range<Int> {
        let each = batchSize / ranks
        return (rank * each)..<((rank + 1) * each)
    }
}

extension FitLoop {
    /// The RoI/anchor sampling generator of the image at `position` of iteration `iteration`
    /// (exact gradient sum): a function of the three numbers only, so a resumed run or
    /// another rank layout draws the same.
    public static func imageSampling(seed: UInt64, iteration: Int, position: Int) -> SeededRandom {
        imageRandom(seed: seed, iteration: iteration, position: position, domain: 0x5851_F42D_4C95_7F2D)
    }

    /// A generator of the image at `position` of iteration `iteration` for `domain` (one per
    /// use: RoI/anchor sampling, a stage's own draws), from the four numbers alone.
    public static func imageRandom(seed: UInt64, iteration: Int, position: Int, domain: UInt64) -> SeededRandom {
        var mixer = SplitMix64(seed: seed ^ domain)
        var perIteration = SplitMix64(seed: mixer.next() ^ UInt64(bitPattern: Int64(iteration)))
        return SeededRandom(seed: perIteration.next(), stream: UInt64(position))
    }
}

/// One iteration's forward/backward with the exact gradient sum, across the ranks.
struct ExactGradientStep {
    let stage: FitStage
    let model: MaskRCNN
    let store: ParameterStore
    let context: ModuleContext
    let settings: TrainingSettings
    let share: DataParallelShare
    let processes: ProcessGroup
    let seed: UInt64
    let sum: ExactGradientSum

    /// Runs this rank's images (`parts`, one per position of `share`) of iteration
    /// `iteration`, leaves the batch's mean gradient in the store on every rank, and returns
    /// the batch's mean losses and its skipped instances (all ranks').
    func run(_ parts: [ImageBatch], iteration: Int, phases: PhaseClock?) -> (losses: TrainingLosses, skipped: SkippedInstances) {
        precondition(parts.count == share.positions.count, "one single-image batch per position of the rank's share")
        sum.reset()
        var message = RankMessageWriter()
        for (part, position) in zip(parts, share.positions) {
            let (targets, skipped) = BatchTargets.targets(part)
            store.zeroGradients()
            var sampling = FitLoop.imageSampling(seed: seed, iteration: iteration, position: position)
            stage.beginImage(iteration: iteration, position: position)
            let losses = stage.losses(model: model, images: BatchTargets.imageTensor(part), targets: targets, settings: settings,
                                      context: context, sampling: &sampling, phases: phases)
            sum.addStoreGradients(parallelism: context.compute.parallelism)
            Self.write(losses, skipped: skipped, state: stage.endImage(), to: &message)
            phases?.mark(TrainingPhase.gradientSum)
        }
        sum.reduce(over: processes)
        store.zeroGradients()
        sum.writeMean(count: share.batchSize, parallelism: context.compute.parallelism)
        // Every image's numbers, in batch order (rank order is batch order).
        var rows: [[Double]] = [], states: [[UInt8]] = []
        for piece in processes.allgatherVariable(message.bytes) {
            var reader = RankMessageReader(piece)
            while !reader.isAtEnd {
                rows.append((0..<Self.rowWidth).map { _ in reader.double() })
                states.append(reader.piece())
            }
        }
        precondition(rows.count == share.batchSize, "every rank sends one row per image")
        stage.endIteration(states)
        phases?.mark(TrainingPhase.reduce)
        return (Self.mean(rows), rows.reduce(into: SkippedInstances()) { total, row in
            total.crowd += Int(row[6]); total.withoutPolygons += Int(row[7])
        })
    }

    private static let rowWidth = 8

    /// One image: rpn_cls, rpn_bbox, cls, bbox, mask (0 when not run), mask run (1/0), crowd,
    /// without polygons; then the stage's state change.
    private static func write(_ losses: TrainingLosses, skipped: SkippedInstances, state: [UInt8], to message: inout RankMessageWriter) {
        for value in [Double(losses.rpnObjectness), Double(losses.rpnBox), Double(losses.boxClassification),
                      Double(losses.boxRegression), Double(losses.mask ?? 0), losses.mask == nil ? 0 : 1,
                      Double(skipped.crowd), Double(skipped.withoutPolygons)] {
            message.append(value)
        }
        message.append(bytes: state)
    }

    /// The images' mean of each loss, summed in batch order.
    private static func mean(_ rows: [[Double]]) -> TrainingLosses {
        func average(_ column: Int) -> Float { Float(rows.reduce(0) { $0 + $1[column] } / Double(rows.count)) }
        var losses = TrainingLosses()
        losses.rpnObjectness = average(0)
        losses.rpnBox = average(1)
        losses.boxClassification = average(2)
        losses.boxRegression = average(3)
        losses.mask = rows.allSatisfy { $0[5] == 1 } ? average(4) : nil
        return losses
    }
}
