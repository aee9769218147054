// detect-train: Stage 1 of LOCE: trains a Mask R-CNN on shards and writes COCO results JSON.
import ArgumentParser
import SharedSupport

struct DetectTrain: ParsableCommand {
    static let toolName = "detect-train"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Stage 1 of LOCE: trains a Mask R-CNN on shards and writes COCO results JSON.",
        discussion: """
        Example:
          detect-train fit --config pipelines/configs/tiny.json --train work/shards/train --out work/baseline
        Exit codes: 0 success, 1 bad data, 64 bad command line.
        """,
        version: ToolVersion.number,
        subcommands: [])
}

ToolMain.run(DetectTrain.self, tool: DetectTrain.toolName)
