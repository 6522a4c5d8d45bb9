import Foundation

/// Standard output as `flowrun top` draws on it: whether it is a terminal, and ANSI redraws.
enum Terminal {
    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Clears the screen: before the first frame.
    static let clearScreen = "\u{1B}[2J"

    /// Writes now, unbuffered. Returns false when standard output is gone (its reader, such as `head`,
    /// has exited): the caller should stop, as Unix tools do on a broken pipe.
    @discardableResult
    static func write(_ text: String) -> Bool {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
            return true
        } catch {
            return false
        }
    }

    /// Draws `text` over the previous frame: from the top-left corner, each line erased to its end, and
    /// whatever the previous frame had below erased too (no flicker from clearing the whole screen). Returns
    /// false when standard output is gone.
    @discardableResult
    static func redraw(_ text: String) -> Bool {
        var frame = "\u{1B}[H"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            frame += line + "\u{1B}[K\n"
        }
        frame += "\u{1B}[J"
        return Self.write(frame)
    }
}
