// Issue "Hostile input", `detect-eval report --images`: the grid's image files are named by
// the ground truth, so they get convert's rules (a name with `..` or an absolute one, a FIFO,
// a device, a json size over --max-pixels, a header that differs from the json). Each such
// image is left out of the grid with a warning naming it and what to do; the report is
// written with the others and the run ends with exit 2, within 1 GiB and 60 s. It used to
// read the file outside --images and draw it.
import Foundation
import XCTest

final class HostileReportImageTests: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "hostile-report-images-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    func testHostileGridImagesAreLeftOutNamingThem() throws {
        let data = scratch + "/data"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", data, "--seed", "3", "--train-images", "8", "--val-images", "6",
                                                    "--threads", "1", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        var gt = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/lvis_v1_val.json"))) as? [String: Any])
        var images = try XCTUnwrap(gt["images"] as? [[String: Any]])
        XCTAssertEqual(images.count, 6)
        let names = try images.map { image -> String in
            let url = try XCTUnwrap(image["coco_url"] as? String)
            return String(url.split(separator: "/").suffix(2).joined(separator: "/"))
        }
        // 0: a name leaving --images (a real JPEG is there); 1: an absolute device; 2: a FIFO in
        // place of the file; 3: the json's size differs from the file's; 4: over --max-pixels in
        // the json; 5: untouched.
        try FileManager.default.copyItem(atPath: data + "/" + names[0], toPath: scratch + "/outside.jpg")
        images[0]["coco_url"] = nil
        images[0]["file_name"] = "../outside.jpg"
        images[1]["coco_url"] = nil
        images[1]["file_name"] = "/dev/zero"
        try FileManager.default.removeItem(atPath: data + "/" + names[2])
        XCTAssertEqual(mkfifo(data + "/" + names[2], 0o600), 0)
        images[3]["width"] = (images[3]["width"] as! Int) + 1
        images[4]["width"] = 2000
        images[4]["height"] = 2000
        gt["images"] = images
        let gtPath = scratch + "/val.json"
        try JSONSerialization.data(withJSONObject: gt).write(to: URL(fileURLWithPath: gtPath))
        let annotations = try XCTUnwrap(gt["annotations"] as? [[String: Any]])
        let results = annotations.map { ["image_id": $0["image_id"]!, "category_id": $0["category_id"]!, "bbox": $0["bbox"]!,
                                         "score": 0.9, "segmentation": $0["segmentation"]!] as [String: Any] }
        let detections = scratch + "/dets.json"
        try JSONSerialization.data(withJSONObject: results).write(to: URL(fileURLWithPath: detections))

        let out = scratch + "/report"
        let run = try ToolRunner.runBounded("detect-eval", ["report", "--gt", gtPath, "--images", data, "--model", "m=" + detections,
                                                            "--out", out, "--grid-images", "6", "--threads", "2"], timeLimit: 60)
        print("HostileReportImageTests: five hostile grid images: \(run.summary.prefix(1500))")
        let ids = images.map { "image id \($0["id"]!)" }
        ToolRunner.assertCleanRefusal(run, status: 2, mentions: [
            "unsafe-file-name: \(ids[0]): file name \"../outside.jpg\" has a \"..\" component",
            "unsafe-file-name: \(ids[1]): file name \"/dev/zero\" is an absolute path",
            "missing-image: \(ids[2]): not under \(data)",
            "image-size-mismatch: \(ids[3]): \(data)/\(names[3])",
            "image-too-large: \(ids[4]): 2000x2000 = 4000000 pixels in the json, over --max-pixels 1638400",
            "5 grid image(s) were left out", "hint:"], "report with hostile grid images")
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("](detections.png)"), report)
        XCTAssertTrue(report.contains("5 chosen image(s) could not be drawn and are left out"), report)
        XCTAssertTrue(report.contains("Val images \(images[5]["id"]!) "), report)

        // --allow-outside-images lets the relative name through (it is drawn) and opens the
        // absolute one as it is: /dev/zero is not a regular file, so it is missing, unread.
        let allowed = try ToolRunner.runBounded("detect-eval", ["report", "--gt", gtPath, "--images", data, "--model", "m=" + detections,
                                                                "--out", scratch + "/allowed", "--grid-images", "6", "--allow-outside-images",
                                                                "--threads", "2"], timeLimit: 60)
        print("HostileReportImageTests: --allow-outside-images: \(allowed.summary.prefix(600))")
        ToolRunner.assertCleanRefusal(allowed, status: 2, mentions: ["missing-image: \(ids[1])", "4 grid image(s) were left out"],
                                      "report --allow-outside-images")
        XCTAssertFalse(allowed.stderr.contains(ids[0] + ":"), allowed.stderr)
    }
}
