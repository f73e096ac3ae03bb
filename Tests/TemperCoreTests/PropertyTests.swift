import Foundation
import PropertyBased
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// Invariants over generated inputs: placeholders, the fixed-length path patching of BOLT
/// training, fingerprints and the statistics.
@Suite struct PropertyTests {
    /// Words made of letters, braces, colons and the placeholder names, so that real, unknown
    /// and malformed placeholders all occur.
    static let word = Gen.element(of: ["{", "}", ":", "a", "x", "source", "jobs", "artifact", "{jobs}", "{source}", "{artifact:app}", "{nope}", " "])
        .map { $0 ?? "" }.array(of: 0...12).map { $0.joined() }

    @Test func renderingReplacesExactlyTheKnownPlaceholders() async {
        await propertyCheck(input: Self.word) { word in
            let values = ["source": "/src", "jobs": "4"]
            let rendered = Placeholders.render(word, values: values, artifacts: ["app": "/b/app"])
            // Rendering twice changes nothing more: replacements hold no placeholder.
            #expect(Placeholders.render(rendered, values: values, artifacts: ["app": "/b/app"]) == rendered)
            // With no values, rendering is the identity.
            #expect(Placeholders.render(word, values: [:]) == word)
            // Known names are gone; an unknown one stays literally.
            #expect(!rendered.contains("{jobs}") && !rendered.contains("{source}") && !rendered.contains("{artifact:app}"))
            #expect(rendered.contains("{nope}") == word.contains("{nope}"))
            // The executor's {jobs} rendering agrees with the stage's.
            let command = Command(executable: "x", arguments: [Placeholders.render(word, values: ["source": "/src"])], workingDirectory: "/")
            #expect(command.rendering(jobs: 4).arguments[0] == Placeholders.render(word, values: values))
        }
    }

    @Test func placeholderProblemsAreReportedForUnknownNamesOnly() async {
        let allowed = Placeholders.buildNames.union(["artifact"])
        // Reference: at each "{", `{identifier}` or `{identifier:argument}` up to the first "}".
        let pattern = try! NSRegularExpression(pattern: "^\\{([A-Za-z_]+)(?::([^{}]+))?\\}")
        await propertyCheck(input: Self.word) { word in
            let problem = Placeholders.problem(in: word, allowed: allowed, artifacts: ["app"])
            let text = word as NSString
            var expected = false
            for start in 0..<text.length where text.character(at: start) == UInt16(UInt8(ascii: "{")) {
                let rest = text.substring(from: start)
                guard let match = pattern.firstMatch(in: rest, range: NSRange(location: 0, length: (rest as NSString).length)) else { continue }
                let name = (rest as NSString).substring(with: match.range(at: 1))
                let argument = match.range(at: 2).location == NSNotFound ? nil : (rest as NSString).substring(with: match.range(at: 2))
                expected = expected || (name == "artifact" ? argument.map { $0 != "app" } ?? false : argument != nil || !allowed.contains(name))
            }
            #expect((problem != nil) == expected, "\(word)")
        }
    }

    /// The patch keeps every byte but the placeholder occurrences, and the length.
    @Test func boltPathPatchingReplacesEveryOccurrenceInPlace() async {
        let bytes = Gen.element(of: Array("@ab/".utf8)).map { $0 ?? 0 }.array(of: 0...64)
        await propertyCheck(input: bytes, Gen.int(in: 1...4)) { haystack, length in
            let needle = String(repeating: "@", count: length)
            let replacement = String(repeating: "k", count: length)
            var data = Data(haystack)
            let count = BoltPaths.overwrite(needle, with: replacement, in: &data)
            // Reference: left-to-right, non-overlapping.
            var expected = haystack
            var index = 0
            var found = 0
            while index + length <= expected.count {
                if expected[index..<index + length].allSatisfy({ $0 == UInt8(ascii: "@") }) {
                    for offset in 0..<length { expected[index + offset] = UInt8(ascii: "k") }
                    index += length
                    found += 1
                } else {
                    index += 1
                }
            }
            #expect(Array(data) == expected)
            #expect(count == found)
            #expect(data.count == haystack.count)
        }
    }

    @Test func fingerprintsSeparateFieldsAndFollowEveryValue() async {
        let text = Gen.element(of: ["", "a", "b", "ab", "\u{0}", "="]).map { $0 ?? "" }.array(of: 0...4).map { $0.joined() }
        await propertyCheck(input: text, text, text) { a, b, c in
            func digest(_ fields: [(String, String)]) -> String {
                var fingerprint = Fingerprint()
                for (label, value) in fields { fingerprint.add(label, value) }
                return fingerprint.finalize()
            }
            #expect(digest([(a, b)]) == digest([(a, b)]))
            // Moving bytes between label and value, or between fields, changes the digest.
            // The same bytes split at another point: the first character of the value moves
            // into the label, so label + value is unchanged and only the boundary differs.
            if let first = b.first { #expect(digest([(a, b)]) != digest([(a + String(first), String(b.dropFirst()))])) }
            if a != c { #expect(digest([(a, b)]) != digest([(c, b)])) }
            if !b.isEmpty { #expect(digest([("k", a + b)]) != digest([("k", a), ("k2", b)])) }
            #expect((digest([("k", a)]) == digest([("k", b)])) == (a == b))
            #expect(digest([("k", a)]) != digest([("k", a + "x")]))
        }
    }

    @Test func statisticsAreOrderFreeBoundedAndScale() async {
        let sample = Gen.double(in: 0.01...100).array(of: 1...15)
        await propertyCheck(input: sample, sample, Gen.double(in: 0.5...4)) { numerator, denominator, scale in
            let median = Statistics.median(numerator)
            #expect(median >= numerator.min()! && median <= numerator.max()!)
            #expect(Statistics.median(numerator.reversed()) == median)
            #expect(Statistics.mad(numerator) >= 0)
            let interval = Statistics.bootstrapRatio(numerator, denominator, iterations: 200)
            #expect(interval.low <= interval.high)
            #expect(interval == Statistics.bootstrapRatio(numerator, denominator, iterations: 200))
            let ratios = numerator.flatMap { top in denominator.map { top / $0 } }
            #expect(interval.low >= ratios.min()! && interval.high <= ratios.max()!)
            // Scaling the numerator scales the interval.
            let scaled = Statistics.bootstrapRatio(numerator.map { $0 * scale }, denominator, iterations: 200)
            #expect(abs(scaled.low - interval.low * scale) <= 1e-9 * max(1, scaled.low))
            #expect(abs(scaled.high - interval.high * scale) <= 1e-9 * max(1, scaled.high))
        }
    }
}
