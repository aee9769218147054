// detect-eval: COCO and LVIS AP for boxes and masks, from a GT json and a results json.
import ArgumentParser
import SharedSupport

struct DetectEval: ParsableCommand {
    static let toolName = "detect-eval"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "COCO/LVIS box and mask AP, identical to pycocotools and the LVIS API.",
        discussion: """
        Example:
          detect-train predict --checkpoint run/checkpoint.safetensors --data shards/val \\
            | detect-eval --gt data/val.json -
        Exit codes: 0 success, 1 bad data, 64 bad command line.
        """,
        version: ToolVersion.number)

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        _ = try runtime.makeContext(tool: Self.toolName, usesBLAS: false)
        throw ToolError.usage("no evaluation requested", hint: "see `detect-eval --help`")
    }
}

ToolMain.run(DetectEval.self, tool: DetectEval.toolName)
