import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

@Suite struct PlaceholdersTests {
    @Test func rendersKnownPlaceholdersInsideWords() {
        let values = ["cc": "/x/clang", "cflags": "-O2 -g"]
        #expect(Placeholders.render("CC={cc}", values: values) == "CC=/x/clang")
        #expect(Placeholders.render("{cflags}", values: values) == "-O2 -g")
        #expect(Placeholders.render("{artifact:tl}", values: [:], artifacts: ["tl": "/b/tl"]) == "/b/tl")
    }

    @Test func leavesUnknownPlaceholdersAndOtherBracesAlone() {
        #expect(Placeholders.render("-j{jobs}", values: [:]) == "-j{jobs}")
        #expect(Placeholders.render("find . -exec rm {} ;", values: [:]) == "find . -exec rm {} ;")
        #expect(Placeholders.render("awk '{ print $1 }'", values: [:]) == "awk '{ print $1 }'")
    }

    @Test func findsProblems() {
        #expect(Placeholders.problem(in: "{cc}", allowed: Placeholders.buildNames, artifacts: []) == nil)
        #expect(Placeholders.problem(in: "{}", allowed: Placeholders.buildNames, artifacts: []) == nil)
        #expect(Placeholders.problem(in: "{ccc}", allowed: Placeholders.buildNames, artifacts: [])?.contains("unknown placeholder") == true)
        #expect(Placeholders.problem(in: "{artifact:a}", allowed: ["artifact"], artifacts: ["a"]) == nil)
        #expect(Placeholders.problem(in: "{artifact:b}", allowed: ["artifact"], artifacts: ["a"])?.contains("names no artifact") == true)
    }
}
