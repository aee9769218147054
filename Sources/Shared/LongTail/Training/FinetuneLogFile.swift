// OUT/log.jsonl of a fine-tuning run: the stage-1 line plus the mean scores of the
// rare/common/frequent groups and the memory samples of the iteration. On resume the file is
// first cut back to the checkpoint's step (as `TrainingLogFile` does).
import Foundation
import SharedSupport
import SharedDetection

final class FinetuneLogFile {
    let path: String
    private let handle: FileHandle

    init(path: String, keepThrough: Int?) throws {
        self.path = path
        _ = try TrainingLogFile(path: path, keepThrough: keepThrough)  // empties or cuts back, atomically
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ToolError.io("cannot open the training log for writing", file: path)
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    func append(_ record: FinetuneRecord) throws {
        do {
            try handle.write(contentsOf: Data((record.jsonLine() + "\n").utf8))
        } catch {
            throw ToolError.io("cannot write the training log: \(error)", file: path)
        }
    }
}
