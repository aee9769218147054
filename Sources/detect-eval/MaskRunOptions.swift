// `--max-mask-runs`, shared by `evaluate` and `report`: the runs the masks made from one
// file's polygons may hold in all (SharedEval `MaskRunBudget`).
import ArgumentParser
import SharedEval
import SharedMasks
import SharedSupport

struct MaskRunOptions: ParsableArguments {
    static let range = OptionRange(1...(1 << 40))

    @Option(name: .customLong("max-mask-runs"), parsing: .unconditional,
            help: ArgumentHelp("Runs the masks made from one file's polygons (and, for mask AP, its box-only results) may hold in all, \(MaskRunOptions.range); default \(MaskRunBudget.runsPerByte) per byte of the file, at least \(MaskRunBudget.minimumRuns). One mask holds at most \(RLE.maximumRuns) runs whatever this says.",
                               valueName: "runs"))
    var maxMaskRuns: Int?

    func validate() throws {
        try Self.range.check(maxMaskRuns, option: "--max-mask-runs")
    }
}
