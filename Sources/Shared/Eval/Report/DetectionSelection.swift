// The detections the grid draws: for the chosen images only, those scoring at least the
// threshold, highest first, at most `limit` per image; masks decoded to RLE (polygons
// rasterised at the image's size), a missing box taken from the mask.
import SharedData
import SharedMasks
import SharedSupport

public enum DetectionSelection {
    public static func read(path: String, images: Set<ImageID>, scoreThreshold: Double, limit: Int,
                            sizes: [ImageID: (height: Int, width: Int)]) throws -> [ImageID: [DrawnDetection]] {
        var kept: [ImageID: [DetectionResult]] = [:]
        try DetectionResultsReader.read(path: path) { result in
            if images.contains(result.imageID) && result.score >= scoreThreshold { kept[result.imageID, default: []].append(result) }
        }
        var drawn: [ImageID: [DrawnDetection]] = [:]
        for (image, results) in kept {
            guard let size = sizes[image] else { continue }
            let top = results.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
                .prefix(limit).map(\.element)
            drawn[image] = try top.compactMap { result in
                let mask = try result.segmentation.map { try RLE(segmentation: $0, height: size.height, width: size.width) }
                guard let box = result.bbox ?? mask?.boundingBox else { return nil }
                return DrawnDetection(category: result.categoryID, score: result.score, box: box,
                                      mask: mask.flatMap { $0.height == size.height && $0.width == size.width ? $0 : nil })
            }
        }
        return drawn
    }
}
