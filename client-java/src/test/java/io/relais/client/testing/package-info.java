/**
 * Test support shared with the broker's, the CLI's and the bridge's tests through this module's test jar:
 * {@link io.relais.client.testing.TestCertificates}, certificates made with openssl at test time.
 */
package io.relais.client.testing;
