/// Builds a one-dimensional PostgreSQL array literal: `{"a","b\"c",NULL,1.5}`.
struct ArrayLiteral {
    private var text = "{"
    private var empty = true

    private mutating func separate() {
        if self.empty { self.empty = false } else { self.text.append(",") }
    }

    mutating func append(quoted value: String) {
        self.separate()
        self.text.append("\"")
        for character in value.unicodeScalars {
            if character == "\"" || character == "\\" { self.text.append("\\") }
            self.text.unicodeScalars.append(character)
        }
        self.text.append("\"")
    }

    mutating func append(number value: Double?) {
        self.separate()
        if let value { self.text.append(value.description) } else { self.text.append("NULL") }
    }

    mutating func append(integer value: Int?) {
        self.separate()
        if let value { self.text.append(String(value)) } else { self.text.append("NULL") }
    }

    func finished() -> String { self.text + "}" }
}
