// What a training stage does differently inside the one fit loop (`FitLoop`): how a fresh
// run starts, what a resumed one restores besides weights and the sampling generator, what
// runs before the first iteration, the forward/backward of a batch, its log line, and what
// goes into its checkpoint. Stage 1 is `DetectorTrainer`; stage 2 is LongTail's fine-tuner.
import SharedSupport
import SharedTensor
import SharedNN
import SharedData

public protocol FitStage: AnyObject {
    /// The progress bar's label and the first word of the loop's log lines ("fit", "finetune").
    var progressLabel: String { get }
    /// The run in messages ("training", "fine-tuning").
    var runName: String { get }

    /// A fresh run: fills `store` before the first iteration (pretrained weights, a base checkpoint).
    func startFresh(store: ParameterStore, options: FitOptions) throws
    /// A resumed run: refuses a checkpoint of another stage (its stored config is `stored`;
    /// a later stage decodes its sections from it) before anything is loaded.
    func requireResumable(stored: CheckpointConfig, checkpoint path: String) throws
    /// A resumed run: restores the stage's own state from the checkpoint (weights, momentum
    /// and the sampling generator are the loop's).
    func restoreState(from file: SafetensorsFile, checkpoint path: String) throws
    /// After the output folder is ready and before the first iteration (the log announces the
    /// run; stage 2's warm-up pass). `sampling` is the run's RoI/anchor generator.
    func prepare(model: MaskRCNN, store: ParameterStore, context: ModuleContext, settings: TrainingSettings,
                 sampling: inout SeededRandom, resumed: Bool, options: FitOptions) throws
    /// One forward/backward of `images` into the store's gradients.
    func losses(model: MaskRCNN, images: Tensor, targets: [TrainingImageTargets], settings: TrainingSettings,
                context: ModuleContext, sampling: inout SeededRandom, phases: PhaseClock?) -> TrainingLosses
    /// The log line of a finished iteration (the stage may add its own numbers).
    func logLine(_ record: IterationRecord) -> String
    /// The progress bar's status after an iteration.
    func progressStatus(_ losses: TrainingLosses, rate: Float) -> String
    /// Writes the checkpoint of the run so far: the detector's weights and `state`, and the
    /// stage's own state.
    func saveCheckpoint(to path: String, store: ParameterStore, state: TrainingState, loop: FitLoop) throws
    /// Said when a loss goes non-finite, after "the batch's inputs are finite" (nil: nothing).
    var divergenceNote: String? { get }
    /// Whether `losses` may be called image by image (`solver.gradientSum: "exact"`, MPI
    /// ranks): true when the stage keeps no state that a batch updates as a whole.
    var supportsExactGradientSum: Bool { get }
    /// What the exact sum needs that this run lacks, for the refusal (nil: nothing to say).
    var exactGradientSumLimit: String? { get }
    /// Exact gradient sum: before image `position`'s pass of iteration `iteration` (0-based).
    /// A stage with state draws from per-image streams and notes what the pass changes.
    func beginImage(iteration: Int, position: Int)
    /// After that pass: what it changed in the stage's state, as bytes for the other ranks;
    /// the state is put back as it was at the iteration's start.
    func endImage() -> [UInt8]
    /// After every image of the iteration, on every rank: their changes applied in batch order.
    func endIteration(_ contributions: [[UInt8]])
}

extension FitStage {
    public func requireResumable(stored: CheckpointConfig, checkpoint path: String) throws {}
    public func restoreState(from file: SafetensorsFile, checkpoint path: String) throws {}
    public var divergenceNote: String? { nil }
    public var supportsExactGradientSum: Bool { false }
    public var exactGradientSumLimit: String? { nil }
    public func beginImage(iteration: Int, position: Int) {}
    public func endImage() -> [UInt8] { [] }
    public func endIteration(_ contributions: [[UInt8]]) {}

    public func progressStatus(_ losses: TrainingLosses, rate: Float) -> String {
        String(format: "loss %.3f (rpn %.3f/%.3f box %.3f/%.3f mask %@) lr %.2g", Double(losses.total),
               Double(losses.rpnObjectness), Double(losses.rpnBox), Double(losses.boxClassification),
               Double(losses.boxRegression), losses.mask.map { String(format: "%.3f", Double($0)) } ?? "-", Double(rate))
    }
}
