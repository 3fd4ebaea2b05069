package io.protoloop.spring.autoconfigure.actuator;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.env.Environment;

/**
 * Makes the {@code protoloop} health component a member of the {@code readiness} group (the
 * availability probe Spring Boot creates with {@code management.endpoint.health.probes.enabled}, or
 * one the application defines), so a stuck loop or a failed endpoint takes the instance out of
 * rotation. The application's own {@code management.endpoint.health.group.readiness.include} wins.
 */
final class ReadinessGroupPostProcessor implements HealthEndpointGroupsPostProcessor {

    static final String READINESS = "readiness";

    static final String INCLUDE_PROPERTY = "management.endpoint.health.group.readiness.include";

    private final String member;

    private final boolean includeConfigured;

    ReadinessGroupPostProcessor(String member, Environment environment) {
        this.member = member;
        this.includeConfigured = Binder.get(environment).bind(INCLUDE_PROPERTY, Bindable.listOf(String.class)).isBound();
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        HealthEndpointGroup readiness = groups.get(READINESS);
        if (readiness == null || this.includeConfigured || readiness.isMember(this.member)) {
            return groups;
        }
        Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
        for (String name : groups.getNames()) {
            all.put(name, groups.get(name));
        }
        all.put(READINESS, new WithMember(readiness, this.member));
        return HealthEndpointGroups.of(groups.getPrimary(), all);
    }

    /** A group with one more member. */
    private record WithMember(HealthEndpointGroup delegate, String member) implements HealthEndpointGroup {

        @Override
        public boolean isMember(String name) {
            return this.member.equals(name) || this.delegate.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return this.delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return this.delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return this.delegate.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return this.delegate.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return this.delegate.getAdditionalPath();
        }

    }

}
