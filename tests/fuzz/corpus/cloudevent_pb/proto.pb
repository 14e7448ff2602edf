
4s1.0"tB
type.googleapis.com/a.Bxyz