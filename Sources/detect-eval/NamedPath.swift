// `NAME=PATH` arguments (`--model baseline=W/baseline/detections.json`, `--result
// loce=eval-loce.json`): the name labels the table row and names files, so it is limited to
// letters, digits, `.`, `_`, `-` and `@` (`compare --by-seed`'s METHOD@SEED); a malformed value is a usage error (exit 64).
import ArgumentParser

struct NamedPath: ExpressibleByArgument, Equatable {
    var name: String
    var path: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        name = String(argument[..<equals])
        path = String(argument[argument.index(after: equals)...])
        guard !name.isEmpty, !path.isEmpty, name.allSatisfy(NamedPath.allowed), name.first != "." else { return nil }
    }

    static func allowed(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "._-@".contains(character))
    }

    static var defaultValueDescription: String { "NAME=PATH" }

    /// Throws a usage error when two values share a name.
    static func checkUnique(_ values: [NamedPath], option: String) throws {
        var seen = Set<String>()
        for value in values where !seen.insert(value.name).inserted {
            throw ValidationError("\(option): the name `\(value.name)` is given twice; each NAME=PATH needs its own name")
        }
    }
}
