// Building result columns: one parsed result appended (its mask bytes into the arena, a
// polygon or uncompressed mask left pending), and the parts of a parallel parse joined
// in file order (arena offsets and pending record numbers rebased).
#if canImport(Glibc)
import Glibc
#endif
import SharedData
import SharedSupport

extension ResultColumns {
    /// The fewest bytes a result takes in a file (`{"image_id":1,"category_id":1,"score":1,"bbox":[1,2,3,4]}`
    /// is 57): `init(reservingFor:)` reserves a row for each so many bytes.
    static let fewestBytesPerResult = 56

    /// Empty columns with room for the results of `bytes` bytes of a results file, so that
    /// they never grow by copying; room never used is never touched (its pages not resident).
    init(reservingFor bytes: Int) {
        self.init()
        let rows = bytes / Self.fewestBytesPerResult
        rawImageID.reserveCapacity(rows)
        rawCategoryID.reserveCapacity(rows)
        score.reserveCapacity(rows)
        box.reserveCapacity(rows)
        hasBox.reserveCapacity(rows)
        hasMask.reserveCapacity(rows)
        maskStart.reserveCapacity(rows)
        maskLength.reserveCapacity(rows)
        maskHeight.reserveCapacity(rows)
        maskWidth.reserveCapacity(rows)
        maskBytesToReserve = bytes
    }

    /// Appends one result as read, before `resolve`; `record` is its index in `path`, for errors.
    mutating func append(_ result: DetectionResult, record: Int, path: String) throws {
        let row = score.count
        rawImageID.append(result.imageID.rawValue)
        rawCategoryID.append(result.categoryID.rawValue)
        score.append(result.score)
        box.append(result.bbox ?? BoxXYWH(x: 0, y: 0, width: 0, height: 0))
        hasBox.append(result.bbox != nil)
        hasMask.append(result.segmentation != nil)
        maskStart.append(maskBytes.count)
        switch result.segmentation {
        case let .compressedRLE(height, width, bytes)?:
            if maskBytesToReserve > 0 {
                // A file with RLE masks: they take at most the file's own bytes.
                maskBytes.reserveCapacity(maskBytesToReserve)
                maskBytesToReserve = 0
            }
            guard let length = Int32(exactly: bytes.count) else {
                throw ToolError("the mask's compressed counts are \(bytes.count) bytes long (at most \(Int32.max))",
                                file: path, record: "results[\(record)]",
                                hint: "encode each mask with pycocotools.mask.encode on its image")
            }
            maskBytes.append(contentsOf: bytes)
            maskLength.append(length)
            maskHeight.append(height)
            maskWidth.append(width)
        case let segmentation?:
            pendingMasks.append((row, segmentation))
            maskLength.append(0)
            let size = segmentation.size
            maskHeight.append(size?.height ?? -1)
            maskWidth.append(size?.width ?? -1)
        case nil:
            maskLength.append(0)
            maskHeight.append(-1)
            maskWidth.append(-1)
        }
    }

    /// The parts' results one after the other, as if read by one `append` loop (before
    /// `resolve`: no indices, areas or unknown categories yet). Column by column, each
    /// part's column freed once copied (`parts` is left empty), so at most one column is
    /// held twice.
    init(concatenating parts: inout [ResultColumns]) {
        self.init()
        defer { parts = [] }
        precondition(parts.allSatisfy { $0.imageIndex.isEmpty && $0.unknownCategoryIDs.isEmpty }, "columns are joined before resolve")
        var rowBase = 0, byteBase = 0
        for k in parts.indices {
            if k == 0 {
                rowBase = parts[0].count
                byteBase = parts[0].maskBytes.count
                continue
            }
            parts[k].maskStart = parts[k].maskStart.map { $0 + byteBase }
            parts[k].pendingMasks = parts[k].pendingMasks.map { ($0.index + rowBase, $0.segmentation) }
            rowBase += parts[k].count
            byteBase += parts[k].maskBytes.count
        }
        Self.join(&parts, \.rawImageID, into: &self)
        Self.join(&parts, \.rawCategoryID, into: &self)
        Self.join(&parts, \.score, into: &self)
        Self.join(&parts, \.box, into: &self)
        Self.join(&parts, \.hasBox, into: &self)
        Self.join(&parts, \.hasMask, into: &self)
        Self.join(&parts, \.maskStart, into: &self)
        Self.join(&parts, \.maskLength, into: &self)
        Self.join(&parts, \.maskHeight, into: &self)
        Self.join(&parts, \.maskWidth, into: &self)
        Self.join(&parts, \.maskBytes, into: &self)
        Self.join(&parts, \.pendingMasks, into: &self)
    }

    /// One column of every part appended into `joined`'s, each part's emptied as it goes.
    private static func join<T>(_ parts: inout [ResultColumns], _ column: WritableKeyPath<ResultColumns, [T]>,
                                into joined: inout ResultColumns) {
        guard !parts.isEmpty else { return }
        var values = parts[0][keyPath: column]
        parts[0][keyPath: column] = []
        if parts.count > 1 {
            values.reserveCapacity(parts.reduce(0) { $0 + $1[keyPath: column].count })
            for k in parts.indices.dropFirst() {
                values += parts[k][keyPath: column]
                parts[k][keyPath: column] = []
            }
            // The parts grew in the worker threads' malloc arenas, which keep freed pages
            // until trimmed: without this the column would be resident twice until the end.
            releaseFreedHeapMemory()
        }
        joined[keyPath: column] = values
    }
}

/// glibc's `malloc_trim(0)`: returns the free pages of every malloc arena to the system.
/// Looked up at run time (Swift's Glibc module does not export it); nothing elsewhere.
func releaseFreedHeapMemory() {
    #if canImport(Glibc)
    typealias Trim = @convention(c) (Int) -> Int32
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
    #endif
}
