// Target "config": a configuration file as detect-train and loce-finetune load it: strict
// decoding (unknown keys, types), validation of every field, the class count resolved from
// the data, the resolved JSON written next to outputs, the checkpoint compatibility checks, and
// for a stage-2 file (a top-level "loce") the same through LongTail's `FinetuneConfig`,
// including reading it back as a checkpoint's stored config.
import Foundation
import SharedDetection
import SharedLongTail
import SharedSupport

extension FuzzTarget {
    /// "config": the bytes as a config json file (stage 1, or stage 2 with "loce").
    static func config() -> FuzzTarget {
        let file = ScratchFile(label: "config")
        return FuzzTarget(name: "config", summary: "DetectorConfig / FinetuneConfig load (strict decode + validate), resolved, encoded, "
                          + "requireCompatible, checkpoint read-back", maxLength: 8192) { bytes in
            file.write(bytes)
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            if FinetuneConfig.hasSection(object) { return stageTwo(file.path) }
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

    /// A stage-2 file: `FinetuneConfig.load`, resolved, encoded and decoded again, then read
    /// back as a checkpoint's stored config (detector part, sections) and checked as a resume.
    private static func stageTwo(_ path: String) -> FuzzOutcome {
        Refusal.outcome(file: path) {
            let loaded = try FinetuneConfig.load(path: path)
            let config: FinetuneConfig
            do {
                config = try loaded.resolved(numClasses: loaded.detector.roiHeads.numClasses ?? 3)
            } catch let error as ToolError {
                throw error.inFile(path)
            }
            let encoded = try config.encoded()
            let again = try FinetuneConfig.decode(encoded, file: path)
            guard again == config else { return .finding("the encoded stage-2 config decodes to a different value") }
            let (detector, sections) = try DetectorConfig.decodeDetectorPart(encoded, file: path)
            guard detector == config.detector, sections == [FinetuneConfig.sectionKey] else {
                return .finding("the detector part of the encoded stage-2 config reads back differently")
            }
            let header = CheckpointConfig(detector: detector, sections: sections, document: encoded)
            guard try FinetuneConfig.stored(in: header, checkpoint: path) == config else {
                return .finding("the stage-2 config stored in a checkpoint reads back differently")
            }
            try DetectorConfig.requireSameRun(config, stored: header, checkpoint: path)
            return .accepted
        }
    }
}
