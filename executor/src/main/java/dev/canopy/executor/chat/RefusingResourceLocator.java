package dev.canopy.executor.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.loader.ResourceLocator;
import java.io.IOException;
import java.nio.charset.Charset;

/**
 * Loads no template: chat templates may not include, import or extend anything. The tags that would
 * load one are disabled too; this replaces jinjava's default locator, which reads the class path, in
 * case a future jinjava reaches it some other way.
 */
final class RefusingResourceLocator implements ResourceLocator {

    @Override
    public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter) throws IOException {
        throw new IOException("Cannot load template '" + fullName
                + "': chat templates may not include, import or extend other templates");
    }
}
