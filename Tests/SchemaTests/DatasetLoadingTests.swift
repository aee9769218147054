// Loading the real COCO / LVIS files in Tests/Fixtures: counts, format detection and field
// values checked against Python's json (values printed by a Python session, see comments).
import SharedData
import SharedSupport
import XCTest

final class DatasetLoadingTests: XCTestCase {
    func testLoadsCOCO128() throws {
        let dataset = try Dataset.load(path: SharedDataFiles.path("coco128/annotations/instances_train2017.json"))
        XCTAssertEqual(dataset.format, .coco)
        XCTAssertEqual(dataset.images.count, 128)
        XCTAssertEqual(dataset.annotations.count, 939)
        XCTAssertEqual(dataset.categories.count, 80)
        let crowd = dataset.annotations.filter(\.isCrowd)
        XCTAssertEqual(crowd.count, 10)
        XCTAssertTrue(crowd.allSatisfy { if case .uncompressedRLE = $0.segmentation { true } else { false } })
        XCTAssertEqual(dataset.annotations.filter { if case .polygons = $0.segmentation { true } else { false } }.count, 929)

        // Python: a[0] = id 1774, image 74, category 18, bbox [61.87, 276.25, 296.42, 103.18], area 18234.62355
        let first = dataset.annotations[0]
        XCTAssertEqual(first.id, AnnotationID(1774))
        XCTAssertEqual(first.imageID, ImageID(74))
        XCTAssertEqual(first.categoryID, CategoryID(18))
        XCTAssertEqual(first.bbox, BoxXYWH(x: 61.87, y: 276.25, width: 296.42, height: 103.18))
        XCTAssertEqual(first.area, 18234.62355)
        guard case let .polygons(polygons) = first.segmentation else { return XCTFail("expected polygons") }
        XCTAssertEqual(polygons.count, 1)
        XCTAssertEqual(Array(polygons[0].prefix(4)), [321.02, 321.0, 314.25, 307.99])

        // Python: the first crowd annotation is id 900100000257, size [480, 640], counts[:5] = [8023, 6, 111, 10, 352] (797 counts)
        let firstCrowd = crowd[0]
        XCTAssertEqual(firstCrowd.id, AnnotationID(900100000257))
        XCTAssertEqual(firstCrowd.area, 11750)
        guard case let .uncompressedRLE(height, width, counts) = firstCrowd.segmentation else { return XCTFail() }
        XCTAssertEqual([height, width], [480, 640])
        XCTAssertEqual(Array(counts.prefix(5)), [8023, 6, 111, 10, 352])
        XCTAssertEqual(counts.count, 797)

        XCTAssertEqual(dataset.images[0], ImageInfo(id: ImageID(9), width: 640, height: 480, fileName: "000000000009.jpg",
                                                    cocoURL: "http://images.cocodataset.org/train2017/000000000009.jpg"))
        XCTAssertEqual(dataset.categories.first, CategoryInfo(id: CategoryID(1), name: "person"))
        XCTAssertEqual(dataset.categories.last, CategoryInfo(id: CategoryID(90), name: "toothbrush"))
    }

    func testDetectsLVISv05WithFederatedFields() throws {
        let dataset = try Dataset.load(path: SharedDataFiles.path("eval/lvis_val_100.json"))
        XCTAssertEqual(dataset.format, .lvisV05)
        XCTAssertEqual(dataset.images.count, 100)
        XCTAssertEqual(dataset.annotations.count, 977)
        XCTAssertEqual(dataset.categories.count, 1230)
        XCTAssertTrue(dataset.annotations.allSatisfy { if case .polygons = $0.segmentation { true } else { false } })
        // Python: images[3] = 524456, neg [998, 56, 1150, 248, 429, 470, 675, 1183], not exhaustive []
        let image = dataset.images[3]
        XCTAssertEqual(image.id, ImageID(524456))
        XCTAssertEqual(image.negativeCategoryIDs?.map(\.rawValue), [998, 56, 1150, 248, 429, 470, 675, 1183])
        XCTAssertEqual(image.notExhaustiveCategoryIDs, [])
        XCTAssertEqual(dataset.categories.last, CategoryInfo(id: CategoryID(1230), name: "zucchini", frequency: .common,
                                                             imageCount: 0, instanceCount: 0, synset: "zucchini.n.02"))
        XCTAssertEqual(dataset.categories.first?.frequency, .rare)
    }

    func testDetectsLVISv1ByItsImageRecords() throws {
        let text = """
        {"images": [{"id": 5, "width": 4, "height": 3, "coco_url": "http://images.cocodataset.org/train2017/000000000005.jpg",
                     "neg_category_ids": [2], "not_exhaustive_category_ids": []}],
         "categories": [{"id": 1, "name": "a", "frequency": "f", "image_count": 500, "instance_count": 900, "synset": "a.n.01"},
                        {"id": 2, "name": "b", "frequency": "r", "image_count": 3, "instance_count": 4, "synset": "b.n.01"}],
         "annotations": [{"id": 1, "image_id": 5, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4,
                          "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]}]}
        """
        let dataset = try Dataset.load(text: text)
        XCTAssertEqual(dataset.format, .lvisV1)
        XCTAssertEqual(dataset.categories[1].frequency, .rare)
        XCTAssertEqual(dataset.images[0].negativeCategoryIDs, [CategoryID(2)])
        XCTAssertEqual(dataset.annotations[0].isCrowd, false)
    }

    func testLoadsCocoapiAndDetectron2GroundTruth() throws {
        let cocoapi = try Dataset.load(path: SharedDataFiles.path("eval/cocoapi/instances_val2014_100.json"))
        XCTAssertEqual(cocoapi.format, .coco)
        XCTAssertEqual([cocoapi.images.count, cocoapi.annotations.count, cocoapi.categories.count], [100, 839, 80])
        let detectron = try Dataset.load(path: SharedDataFiles.path("eval/detectron2_mini/gt_annotations.json"))
        XCTAssertEqual(detectron.images.map(\.id.rawValue), [285, 139])
        XCTAssertEqual(detectron.annotations.map(\.area), [2913.1103999999987, 435.1449499999997])
        XCTAssertEqual(detectron.annotations[1].bbox, BoxXYWH(x: 384.43, y: 172.21, width: 15.12, height: 35.74))
    }

    /// faster_coco_eval's GT has the image id "2299" (a string) where its results use 2299:
    /// pycocotools treats them as different images and asserts; we reject the file clearly.
    func testStringImageIDsOfFasterCocoEvalAreAnError() throws {
        let path = SharedDataFiles.path("eval/faster_coco_eval/gt_ignore_test.json")
        let error = try XCTUnwrap(toolError { _ = try Dataset.load(path: path) })
        XCTAssertEqual(error.file, path)
        XCTAssertTrue(error.message.contains("\"2299\""), error.message)
        XCTAssertEqual(error.record, "images[0] (line 11, column 19)")
        XCTAssertNotNil(error.hint)
    }
}
