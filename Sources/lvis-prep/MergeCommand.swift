// `lvis-prep merge`: after a job array, combine the pieces' shards into one manifest.json.
import ArgumentParser
import SharedData
import SharedSupport

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Write manifest.json for a shard folder filled by several `convert --num-shards N --shard-index I` runs.",
        discussion: """
        Example:
          lvis-prep merge shards/train
        Fails (exit 1) naming the pieces to re-run when some shards are missing.
        """)

    @Argument(help: "The shard folder (the --out of the convert runs).")
    var directory: String

    @Flag(help: "Also check every shard file's checksum.")
    var verify = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        try checkPaths()
        let context = try runtime.makeContext(tool: LvisPrep.toolName, usesBLAS: false)
        let manifest = try ShardMerge.merge(directory: directory, verify: verify)
        context.logger.info("\(directory)/manifest.json: \(manifest.shards.count) shards, \(manifest.counts.images) images, \(manifest.counts.instances) instances")
    }
}
