// Package jsondig walks a decoded JSON value (maps, slices and scalars from
// encoding/json) along a path of object keys and array indexes. Tests use
// it to read one field out of a request body without declaring its type.
package jsondig

// Dig follows path through v: a string step reads an object key, an int
// step an array index. It returns nil when a step does not fit (a key on a
// non-object, an index out of range) or the value is missing.
func Dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
