// The synthetic generator: deterministic bytes from the seed, LVIS v1 schema as our loader
// reads it, exact long-tail image counts, masks that agree with the pixels, near-twins,
// federated val fields; and the polygon clipping it relies on.
import Foundation
import XCTest
@testable import SharedData
import SharedSupport

final class SynthTests: XCTestCase {
    static var smallConfig: SynthConfig {
        var config = SynthConfig.standard
        config.trainImages = 24
        config.valImages = 8
        config.rareCategories = 3
        config.commonCategories = 3
        config.frequentCategories = 2
        config.minValImagesPerCategory = 2
        config.sides = [96, 128]
        config.maxObjectsPerImage = 8
        return config
    }

    func generate(seed: UInt64, threads: Int) throws -> String {
        let out = NSTemporaryDirectory() + "synth-\(getpid())-\(seed)-\(threads)-\(UInt32.random(in: 0...UInt32.max))"
        _ = try SynthGenerator(config: Self.smallConfig, seed: seed)
            .write(to: out, logger: Logger(tool: "test", verbosity: .quiet), parallelism: Parallelism(threads: threads))
        return out
    }

    func testSameSeedSameBytesForAnyThreadCount() throws {
        let a = try generate(seed: 4, threads: 1), b = try generate(seed: 4, threads: 2), c = try generate(seed: 5, threads: 2)
        defer { for path in [a, b, c] { try? FileManager.default.removeItem(atPath: path) } }
        for file in ["lvis_v1_train.json", "lvis_v1_val.json", "train2017/000000000003.jpg", "val2017/000000000003.jpg".replacingOccurrences(of: "000000000003", with: "000001000002")] {
            XCTAssertEqual(FileManager.default.contents(atPath: a + "/" + file), FileManager.default.contents(atPath: b + "/" + file), file)
        }
        XCTAssertNotEqual(FileManager.default.contents(atPath: a + "/lvis_v1_train.json"), FileManager.default.contents(atPath: c + "/lvis_v1_train.json"))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: a).contains { $0.hasPrefix(".synth-partial") })
    }

    func testJSONIsLVISv1WithTheIntendedLongTail() throws {
        let out = try generate(seed: 2, threads: 2)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let train = try Dataset.load(path: out + "/lvis_v1_train.json")
        let val = try Dataset.load(path: out + "/lvis_v1_val.json")
        XCTAssertEqual(train.format, .lvisV1)
        XCTAssertEqual(val.format, .lvisV1)
        XCTAssertEqual(train.images.count, 24)
        XCTAssertEqual(val.images.count, 8)
        XCTAssertEqual(train.categories.count, 8)
        // Counts and groups in the json agree with the training annotations.
        var imagesPer: [CategoryID: Set<ImageID>] = [:]
        for annotation in train.annotations { imagesPer[annotation.categoryID, default: []].insert(annotation.imageID) }
        for category in train.categories {
            let count = imagesPer[category.id]?.count ?? 0
            XCTAssertEqual(category.imageCount, count, category.name)
            XCTAssertEqual(category.frequency, CategoryTable.group(imageCount: count), category.name)
        }
        XCTAssertEqual(val.categories, train.categories)
        // Every annotation lies in its image, polygons have 3+ points, area and bbox agree.
        let sizes = Dictionary(uniqueKeysWithValues: (train.images + val.images).map { ($0.id, ($0.width, $0.height)) })
        for annotation in train.annotations + val.annotations {
            let (w, h) = sizes[annotation.imageID]!
            XCTAssertGreaterThanOrEqual(annotation.bbox.x, 0)
            XCTAssertLessThanOrEqual(annotation.bbox.x + annotation.bbox.width, Double(w) + 0.01)
            XCTAssertLessThanOrEqual(annotation.bbox.y + annotation.bbox.height, Double(h) + 0.01)
            guard case .polygons(let polygons)? = annotation.segmentation else { return XCTFail("no polygons") }
            XCTAssertTrue(polygons.allSatisfy { $0.count >= 6 && $0.count % 2 == 0 })
            XCTAssertLessThanOrEqual(annotation.area, annotation.bbox.area + 0.1)
        }
        // Federated fields: negatives are never present in the image.
        var present: [ImageID: Set<CategoryID>] = [:]
        for annotation in val.annotations { present[annotation.imageID, default: []].insert(annotation.categoryID) }
        for image in val.images {
            XCTAssertNotNil(image.negativeCategoryIDs)
            XCTAssertTrue(Set(image.negativeCategoryIDs ?? []).isDisjoint(with: present[image.id] ?? []))
        }
        // Val holds every category (minValImagesPerCategory = 2).
        XCTAssertEqual(Set(val.annotations.map(\.categoryID)).count, 8)
    }

    func testStandardCategoriesFollowLVISGroupsAndHaveTwins() {
        var random = SeededRandom(seed: 1, stream: 0)
        let categories = SynthCategories.make(config: .standard, random: &random)
        XCTAssertEqual(categories.count, 100)
        XCTAssertEqual(categories.filter { $0.intendedGroup == .rare }.count, 28)
        XCTAssertEqual(categories.filter { $0.intendedGroup == .frequent }.count, 34)
        for category in categories {
            XCTAssertEqual(CategoryTable.group(imageCount: category.targetImages), category.intendedGroup, category.name)
        }
        XCTAssertLessThanOrEqual(categories.map(\.targetImages).max()!, 700)
        XCTAssertEqual(Set(categories.map(\.name)).count, 100)
        let byID = Dictionary(uniqueKeysWithValues: categories.map { ($0.id, $0) })
        let twins = categories.filter { $0.twinOf != nil }
        XCTAssertEqual(twins.count, 14)
        for twin in twins {
            let base = byID[twin.twinOf!]!
            XCTAssertEqual(base.intendedGroup, .frequent)
            let differences = [twin.shape != base.shape, twin.color != base.color, twin.texture != base.texture].filter { $0 }.count
            XCTAssertEqual(differences, 1, "\(twin.name) vs \(base.name)")
        }
    }

    /// `--categories` keeps LVIS v1's group proportions; `--imbalance` maps every target n to
    /// M (n / M)^X (M = the frequent targets' ceiling) on the same draws (same names, same twins): 1 changes nothing, 2 lengthens
    /// the tail, 0 balances it.
    func testCategoryCountAndImbalanceKnobs() {
        var config = SynthConfig.standard
        config.setCategories(100)
        XCTAssertEqual([config.rareCategories, config.commonCategories, config.frequentCategories], [28, 38, 34])
        config.setCategories(200)
        XCTAssertEqual([config.rareCategories, config.commonCategories, config.frequentCategories], [56, 77, 67])
        config.setCategories(3)
        XCTAssertEqual([config.rareCategories, config.commonCategories, config.frequentCategories], [1, 1, 1])

        func categories(imbalance: Double) -> [SynthCategory] {
            var random = SeededRandom(seed: 1, stream: 0)
            var config = SynthConfig.standard
            config.imbalance = imbalance
            return SynthCategories.make(config: config, random: &random)
        }
        let standard = categories(imbalance: 1), steep = categories(imbalance: 2), flat = categories(imbalance: 0)
        XCTAssertEqual(steep.map(\.name), standard.map(\.name))
        XCTAssertEqual(steep.map(\.twinOf), standard.map(\.twinOf))
        // M: the largest a frequent target may be (35 % of the 2000 training images).
        let largest = Double(SynthConfig.standard.trainImages) * SynthConfig.standard.maxFrequentFraction
        for (s, t) in zip(standard, steep) {
            let expected = max(1, Int((largest * pow(Double(s.targetImages) / largest, 2)).rounded()))
            XCTAssertEqual(t.targetImages, expected, s.name)
        }
        XCTAssertLessThan(steep.map(\.targetImages).reduce(0, +), standard.map(\.targetImages).reduce(0, +))
        XCTAssertGreaterThan(steep.filter { CategoryTable.group(imageCount: $0.targetImages) == .rare }.count, 28)
        XCTAssertEqual(Set(flat.map(\.targetImages)), [Int(largest)])
    }

    func testVisibleMasksMatchRenderedPixels() {
        // Solid-texture categories so the class colour marks the object's pixels.
        let categories = [SynthCategory(id: 1, shape: .square, color: .red, texture: .solid, intendedGroup: .frequent, targetImages: 1,
                                        instancesPerImage: 1, twinOf: nil),
                          SynthCategory(id: 2, shape: .star, color: .blue, texture: .solid, intendedGroup: .frequent, targetImages: 1,
                                        instancesPerImage: 1, twinOf: nil)]
        var random = SeededRandom(seed: 9)
        for _ in 0..<5 {
            let (image, objects) = SynthScene.render(width: 160, height: 128, requests: [0, 1, 0, 1, 0], categories: categories, random: &random)
            for object in objects {
                var inside = 0, matching = 0
                PolygonScan.spans(object.visible, width: 160, height: 128) { y, x0, x1 in
                    for x in x0..<x1 {
                        inside += 1
                        let pixel = image[x, y]
                        let red = Int(pixel.red), blue = Int(pixel.blue)
                        let isRed = red > blue + 60, isBlue = blue > red + 60
                        if (object.categoryIndex == 0 && isRed) || (object.categoryIndex == 1 && isBlue) { matching += 1 }
                    }
                }
                XCTAssertGreaterThan(inside, 0)
                // Pixel-centre sampling vs polygon area differ only along the boundary.
                XCTAssertGreaterThanOrEqual(Double(matching), 0.97 * Double(inside))
                XCTAssertGreaterThanOrEqual(object.visibleArea, SynthScene.minimumVisibleShare * object.fullArea - 1)
            }
        }
    }

    func testObjectsSpanTheCOCOSizeClassesButNoneIsTooSmallToShowItsTexture() {
        var random = SeededRandom(seed: 11)
        let categories = SynthCategories.make(config: .standard, random: &random)
        var sides: [Double] = []
        for _ in 0..<40 {
            let requests = (0..<12).map { _ in random.nextInt(below: categories.count) }
            sides += SynthScene.render(width: 288, height: 288, requests: requests, categories: categories, random: &random)
                .objects.map { $0.fullArea.squareRoot() }
        }
        XCTAssertGreaterThan(sides.count, 300)
        let share = { (range: Range<Double>) in Double(sides.filter { range.contains($0) }.count) / Double(sides.count) }
        // Small, medium and large (COCO's 32 and 96 px thresholds) are all well represented.
        XCTAssertGreaterThan(share(0..<32), 0.2)
        XCTAssertGreaterThan(share(32..<96), 0.35)
        XCTAssertGreaterThan(share(96..<1000), 0.1)
        // Only placements that had to shrink to fit fall below 16 px.
        XCTAssertLessThan(share(0..<16), 0.03)
    }

    func testSubtractingAConvexPolygonLeavesTheDifference() {
        let square = [CanvasPoint(0, 0), CanvasPoint(10, 0), CanvasPoint(10, 10), CanvasPoint(0, 10)]
        let hole = [CanvasPoint(5, 5), CanvasPoint(15, 5), CanvasPoint(15, 15), CanvasPoint(5, 15)]
        XCTAssertEqual(PolygonClipping.area(PolygonClipping.subtract(square, convex: hole)), 75, accuracy: 1e-9)
        XCTAssertEqual(PolygonClipping.area(PolygonClipping.subtract(square, convex: hole.reversed())), 75, accuracy: 1e-9)
        let far = hole.map { CanvasPoint($0.x + 100, $0.y) }
        XCTAssertEqual(PolygonClipping.subtract(square, convex: far), [square])
        let cover = [CanvasPoint(-1, -1), CanvasPoint(11, -1), CanvasPoint(11, 11), CanvasPoint(-1, 11)]
        XCTAssertEqual(PolygonClipping.subtract(square, convex: cover), [])
    }

    func testTriangulationCoversEveryShape() {
        for shape in SynthShape.allCases {
            let outline = SynthShapes.outline(shape)
            let triangles = SynthShapes.triangulate(outline)
            XCTAssertEqual(triangles.count, outline.count - 2, shape.name)
            XCTAssertEqual(triangles.reduce(0) { $0 + abs(SynthShapes.signedArea($1)) }, abs(SynthShapes.signedArea(outline)), accuracy: 1e-9, shape.name)
        }
    }
}
