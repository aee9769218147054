// Target "config": a configuration file as detect-train and loce-finetune load it: strict
// decoding (unknown keys, types), validation of every field, the class count resolved from
// the data, the resolved JSON written next to outputs, and the checkpoint compatibility check.
import Foundation
import SharedDetection
import SharedSupport

extension FuzzTarget {
    /// "config": the bytes as a DetectorConfig json file (stage 1, or stage 2 with "loce").
    static func config() -> FuzzTarget {
        let file = ScratchFile(label: "config")
        return FuzzTarget(name: "config", summary: "DetectorConfig.load(path:) (strict decode + validate), resolved, encoded, requireCompatible",
                          maxLength: 8192) { bytes in
            file.write(bytes)
            return Refusal.outcome(file: file.path) {
                // As TrainingInputs.open: the class count comes from the data (here the file's own
                // count, so that valid files go on), errors are located in the config file.
                let loaded = try DetectorConfig.load(path: file.path)
                let config: DetectorConfig
                do {
                    config = try loaded.resolved(numClasses: loaded.roiHeads.numClasses ?? 3)
                } catch let error as ToolError {
                    throw error.inFile(file.path)
                }
                let encoded = try config.encoded()
                let again = try DetectorConfig.decode(encoded, file: file.path)
                guard again == config else { return .finding("the encoded config decodes to a different value") }
                try config.requireCompatible(checkpointConfig: again, checkpoint: file.path)
                try config.requireCompatible(checkpointConfig: again, checkpoint: file.path, scope: [""])
                return .accepted
            }
        }
    }
}
