/**
 * Spring Boot integration for protoloop: {@code @ProtocolEndpoint}, properties, lifecycle.
 * Not implemented yet (issue "Spring Boot starter"); today the module only carries the dependency on
 * protoloop-core so the starter's coordinates are stable.
 */
package io.protoloop.spring;
