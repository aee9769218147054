// Number parsing in place: exact like Python's `json` (correctly rounded doubles). Most
// numbers take Clinger's fast path (<= 2^53 mantissa, |exponent| <= 22: one exact IEEE
// operation); the rest go to the C library's strtod (correctly rounded in glibc).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact powers of ten representable as doubles: 1e0 ... 1e22.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// A parsed JSON number: its double value, and its integer value when the literal was an
/// integer (no fraction, no exponent) that fits an `Int` (Python's `json` gives an int then).
struct ParsedNumber {
    var value: Double
    var integer: Int?
}

extension JSONReader {
    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Parses the number at `offset` (the caller has seen its first byte) and moves past it.
    mutating func parseNumber() throws -> ParsedNumber {
        let start = offset
        var index = offset
        var negative = false
        if base[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < count else {
            offset = index
            throw unexpectedEnd("a digit")
        }
        let first = base[index]
        if first == UInt8(ascii: "I") {
            offset = index
            try expectLiteral("Infinity")
            return ParsedNumber(value: negative ? -.infinity : .infinity, integer: nil)
        }
        if first == UInt8(ascii: "N") && !negative {
            try expectLiteral("NaN")
            return ParsedNumber(value: .nan, integer: nil)
        }
        guard JSONReader.isDigit(first) else {
            offset = index
            throw unexpectedCharacter(expected: "a digit")
        }

        var mantissa: UInt64 = 0  // the first 19 significant digits
        var digits = 0
        var exponent = 0  // decimal exponent applied to `mantissa`
        var truncated = false
        var isInteger = true
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < count, JSONReader.isDigit(base[index]) {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(base[index] &- UInt8(ascii: "0"))
                    digits += 1
                } else {
                    exponent += 1
                    truncated = true
                }
                index += 1
            }
        }
        if index < count, base[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < count, JSONReader.isDigit(base[index]) else {
                offset = index
                throw index < count ? unexpectedCharacter(expected: "a digit after '.'") : unexpectedEnd("a digit after '.'")
            }
            while index < count, JSONReader.isDigit(base[index]) {
                let digit = base[index] &- UInt8(ascii: "0")
                if digits < 19 {
                    if mantissa != 0 || digit != 0 {
                        mantissa = mantissa &* 10 &+ UInt64(digit)
                        digits += 1
                    }
                    exponent -= 1
                } else {
                    truncated = true
                }
                index += 1
            }
        }
        if index < count, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < count, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") {
                exponentNegative = base[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < count, JSONReader.isDigit(base[index]) else {
                offset = index
                throw index < count ? unexpectedCharacter(expected: "a digit in the exponent") : unexpectedEnd("a digit in the exponent")
            }
            var value = 0
            while index < count, JSONReader.isDigit(base[index]) {
                if value < 1_000_000 { value = value * 10 + Int(base[index] &- UInt8(ascii: "0")) }
                index += 1
            }
            exponent += exponentNegative ? -value : value
        }
        offset = index

        if isInteger && !truncated {
            if !negative && mantissa <= UInt64(Int.max) {
                let integer = Int(mantissa)
                return ParsedNumber(value: Double(integer), integer: integer)
            }
            if negative && mantissa <= UInt64(Int.max) + 1 {
                let integer = mantissa == UInt64(Int.max) + 1 ? Int.min : -Int(mantissa)
                return ParsedNumber(value: Double(integer), integer: integer)  // "-0" is the int 0
            }
        }
        if !truncated {
            if mantissa == 0 { return ParsedNumber(value: negative ? -0.0 : 0.0, integer: nil) }
            if mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
                var value = Double(mantissa)
                if exponent < 0 { value /= exactPowersOfTen[-exponent] } else { value *= exactPowersOfTen[exponent] }
                return ParsedNumber(value: negative ? -value : value, integer: nil)
            }
        }
        return ParsedNumber(value: slowParse(from: start, to: index), integer: nil)
    }

    /// strtod over a NUL-terminated copy of the literal (correctly rounded).
    private func slowParse(from start: Int, to end: Int) -> Double {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for index in 0..<length { buffer[index] = CChar(bitPattern: base[start + index]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
