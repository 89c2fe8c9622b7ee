enum _EnginePlaceholder {}
