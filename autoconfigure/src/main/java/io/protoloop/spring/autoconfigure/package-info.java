/**
 * Auto-configuration for protoloop: the event loop bean, the endpoint lifecycle, the
 * {@code protoloop.*} properties and the failure analyzers.
 */
@NullMarked
package io.protoloop.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
