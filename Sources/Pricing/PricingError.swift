/// Why a price file or override was refused; names the model and field, never guesses a price.
public enum PricingError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidFile(String)
    case invalidPrice(model: String, field: String, text: String)
    case duplicateModel(String)

    public var description: String {
        switch self {
        case .invalidFile(let reason): "price table: \(reason)"
        case .invalidPrice(let model, let field, let text):
            "price table: \(model) \(field) \"\(text)\" is not a price (USD per million tokens, at most 6 decimals)"
        case .duplicateModel(let name): "price table: \(name) is listed twice"
        }
    }
}
