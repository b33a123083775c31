package ciapi

// MissingFromEnv names what of the key pair the environment lacks (read through getenv),
// for a message: neither variable, or which one of the two. It says nothing of values.
func MissingFromEnv(getenv func(string) string) string {
	switch id, key := getenv(EnvSecretID), getenv(EnvSecretKey); {
	case id == "" && key == "":
		return "no credentials: set " + EnvSecretID + " and " + EnvSecretKey + " (and " + EnvSecurityToken + " for temporary keys)"
	case id == "":
		return EnvSecretID + " is not set (" + EnvSecretKey + " is)"
	}
	return EnvSecretKey + " is not set (" + EnvSecretID + " is)"
}
