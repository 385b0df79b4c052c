// RWS Tridion Sites add-on packages and client-credential identities (Access Management).
package tridion
