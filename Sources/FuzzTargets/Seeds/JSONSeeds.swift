// Seeds of the JSON targets: documents with every kind of value and awkward number and
// string forms ("json"), the two evaluation ground truths and a COCO file with RLE masks
// ("dataset"), and results with boxes, polygons and both RLE forms ("results").
import SharedData
import SharedMasks

enum JSONSeeds {
    static let documents: [Seed] = [
        Seed("empty-object.json", text: "{}"),
        Seed("values.json", text: #"{"a": [1, -2, 3.5, -0, 1e3, 2E-2, true, false, null, "s"], "b": {"c": {}, "d": []}}"#),
        Seed("numbers.json", text: "[9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809, "
             + "123456789012345678901234567890, 0.1, 1e400, -1e-400, 4.9e-324, 2.2250738585072014e-308, 1.7976931348623157e308, "
             + "NaN, Infinity, -Infinity, 3.0, 1e22, 1e23, 0.30000000000000004]"),
        Seed("strings.json", text: #"["plain", "\u00e9\ud83d\ude00", "\ud800 lone", "\udc00", "\"\\\/\b\f\n\r\t", "caf\u00C9", "", "日本"]"#),
        Seed("nested.json", text: String(repeating: "[", count: 40) + "{\"k\": 1}" + String(repeating: "]", count: 40)),
        Seed("keys.json", text: #"{"id": 1, "i\u0064": 2, "": 3, "id": 4, "\n": {"x": [{"y": null}]}}"#),
        Seed("whitespace.json", text: " \t\r\n[ 1 ,\n 2 ]\n "),
        Seed("bom.json", [0xEF, 0xBB, 0xBF] + Array("{}".utf8)),
    ]

    static let groundTruths: [Seed] = [
        Seed("coco.json", text: EvaluationGroundTruth.coco),
        Seed("lvis-v1.json", text: EvaluationGroundTruth.lvis),
        Seed("coco-rle.json", text: """
            {"info": {"year": 2017}, "licenses": [],
             "images": [{"id": 7, "width": 5, "height": 3, "file_name": "COCO_val2014_000000000007.jpg", "neg_category_ids": [], "not_exhaustive_category_ids": [3]}],
             "annotations": [{"id": 1, "image_id": 7, "category_id": 3, "bbox": [0.5, 0, 2.25, 3], "area": 5.5, "iscrowd": 1,
                              "segmentation": {"size": [3, 5], "counts": "\(RLE(box: BoxXYWH(x: 1, y: 0, width: 2, height: 3), height: 3, width: 5).compressedString)"}},
                             {"id": 2, "image_id": 7, "category_id": 3, "bbox": [1, 1, 1, 1], "area": 1, "ignore": 1, "segmentation": [[1, 1, 2, 1, 2, 2, 1, 2], [0, 0, 1, 0, 0, 1]]}],
             "categories": [{"id": 3, "name": "bird", "synset": "bird.n.01", "frequency": "c", "image_count": 1, "instance_count": 2}]}
            """),
    ]

    static let results: [Seed] = {
        let box = RLE(box: BoxXYWH(x: 2, y: 3, width: 5, height: 5), height: 16, width: 12)
        let polygonMask = RLE(polygon: [1, 1, 4, 1, 4, 3, 1, 3], height: 4, width: 6)
        return [
            Seed("boxes.json", text: """
                [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 2], "score": 0.9},
                 {"image_id": 2, "category_id": 1, "bbox": [2.5, 3, 5, 4.75], "score": 0.5},
                 {"image_id": 2, "category_id": 2, "bbox": [0, 0, 12, 16], "score": 0.25},
                 {"image_id": 3, "category_id": 2, "bbox": [0, 0, 1, 1], "score": 1}]
                """),
            Seed("masks.json", text: """
                [{"image_id": 2, "category_id": 1, "score": 0.8, "segmentation": {"size": [16, 12], "counts": "\(box.compressedString)"}},
                 {"image_id": 1, "category_id": 1, "score": 0.7, "segmentation": {"size": [4, 6], "counts": "\(polygonMask.compressedString)"}, "bbox": [1, 1, 3, 2]},
                 {"image_id": 2, "category_id": 2, "score": 0.6, "segmentation": {"size": [16, 12], "counts": [10, 20, 162]}},
                 {"image_id": 3, "category_id": 2, "score": 0.5, "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1]]}]
                """),
            Seed("unknown-category.json", text: #"[{"image_id": 1, "category_id": 99, "bbox": [0, 0, 2, 2], "score": 0.5}, {"image_id": 1, "category_id": 1, "bbox": [], "score": 0.1, "segmentation": [[0, 0, 2, 0, 2, 2]]}]"#),
            Seed("empty.json", text: "[]"),
        ]
    }()
}
