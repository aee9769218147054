// The files `lvis-prep convert` reads and writes, checked before any work: the annotations
// are a file or a stream, the image root (when it exists) a folder, and the output folder is
// not a file, an input folder, a folder whose manifest or plan would replace an input, or one
// holding a device or pipe (a re-run reads the shards it finds there).
import SharedData
import SharedSupport

extension ConvertCommand {
    func checkPaths() throws {
        try PathChecks.requireInputFileOrStream(annotations, option: "--annotations")
        // A missing root is left to the run, which says whether the images were expected.
        if images.isEmpty || PathChecks.kind(of: images) != .missing { try PathChecks.requireInputFolder(images, option: "--images") }
        try PathChecks.requireOutputDirectory(out, option: "--out", files: [ShardManifest.fileName, PrepPlanFile.fileName],
                                              inputs: [annotations, images])
        // A re-run reads the shards already there (to keep those that verify).
        if PathChecks.kind(of: out) == .directory { try PathChecks.requireInputFolder(out, option: "--out", checkEntries: true) }
    }
}
