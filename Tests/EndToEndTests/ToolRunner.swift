// Runs the built executables as a user would and captures stdout, stderr and exit code.
import Foundation
import XCTest

struct ToolRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum ToolRunner {
    /// The folder holding the built executables: $LOCE_BIN_DIR, else the folder of the
    /// test bundle (SwiftPM puts products and test bundles side by side).
    static var binaryDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["LOCE_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = Bundle(for: Marker.self).bundleURL
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("detect-eval").path),
              url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// Runs `tool` with `arguments`, optional stdin bytes and extra environment (a nil
    /// value removes the variable).
    static func run(_ tool: String, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String?] = [:]) throws -> ToolRun {
        try run(executable: binaryDirectory.appendingPathComponent(tool), arguments, stdin: stdin, environment: environment)
    }

    /// The repository's `scripts/` folder (this file is REPO/Tests/EndToEndTests/ToolRunner.swift).
    static let scriptsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts")

    /// Runs the executable at `executable` (a tool, or one of the repository's scripts).
    static func run(executable: URL, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String?] = [:]) throws -> ToolRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so neither fills up and blocks the child.
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ToolRun(status: process.terminationStatus,
                       stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

private final class Marker {}

/// Holds bytes read on another thread; the DispatchGroup orders the accesses.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
